import CutoverCore
import CutoverRender

extension DesiredItem {
    /// Everything Jenkins should hold for `config`: the parent folders of `jenkins.folder`, then per
    /// environment its folder and its pipelines, parents always before children.
    public static func all(for config: Config, renderer: Renderer) throws -> [DesiredItem] {
        let files = Dictionary(uniqueKeysWithValues: try renderer.render(config).map { ($0.path, $0.contents) })
        let root = ItemPath(config.jenkins.folder)
        var items: [DesiredItem] = []
        for depth in 0..<root.segments.count {
            let path = ItemPath(Array(root.segments.prefix(depth + 1)))
            items.append(DesiredItem(path: path, kind: .folder,
                                     config: try renderer.folderXML(description: "Release pipelines managed by cutover. \(Renderer.managedMarker)"),
                                     source: "(folder \(path))"))
        }
        for environment in config.environments {
            let folder = root.appending(environment.name)
            items.append(DesiredItem(path: folder, kind: .folder, config: files["\(environment.name)/config.xml"] ?? "",
                                     source: "\(config.jenkins.renderedPath)/\(environment.name)/config.xml",
                                     library: try renderer.folderLibraryXML(config, environment)))
            for kind in renderer.pipelines(for: environment) {
                let file = "\(environment.name)/\(kind.jobName)/config.xml"
                items.append(DesiredItem(path: folder.appending(kind.jobName), kind: .job, config: files[file] ?? "",
                                         source: "\(config.jenkins.renderedPath)/\(file)"))
            }
        }
        return items
    }
}
