import CutoverCore
import Dispatch

/// One file of rendered output, its path relative to the output directory.
public struct RenderedFile: Sendable, Equatable {
    public var path: String
    public var contents: String

    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// Turns a validated config into Jenkinsfiles and job XML, plus the shared library the Jenkinsfiles
/// call. Pure: no I/O, the same input gives the same bytes.
public struct Renderer: Sendable {
    /// Written into every job and folder description; `register --prune` deletes only jobs carrying it.
    public static let managedMarker = "[managed by cutover]"

    private let library: TemplateLibrary
    /// The library's files, by template name, sorted.
    private let libraryTemplates: [String]

    public init(templates: TemplateSet = TemplateSet()) throws {
        libraryTemplates = templates.sources.keys.filter {
            $0.hasPrefix("\(Self.libraryFolder)/") && !$0.hasPrefix("\(Self.libraryFolder)/partials/")
        }.sorted()
        var library = TemplateLibrary()
        // Playbooks have their own delimiters and are rendered by `PlaybookRenderer` at deploy time.
        for (name, source) in templates.sources where !name.hasPrefix("ansible/") {
            do {
                library.register(try Template(source), named: name)
            } catch {
                throw RenderError.template(name: name, reason: "\(error)")
            }
        }
        self.library = library
    }

    /// The folder of the shared library under the output directory (`<rendered_path>/library/`).
    public static let libraryFolder = "library"

    /// Every file for every environment: per environment a folder `config.xml` and, per pipeline,
    /// `Jenkinsfile` and `config.xml`; then the shared library the pipelines call, under `library/`.
    public func render(_ config: Config) throws -> [RenderedFile] {
        try renderEnvironments(config) + renderLibrary()
    }

    /// The shared library alone: one file per template under `library/` (partials aside), at the
    /// template's own path. The same for every config, so it is rendered once, not per environment.
    public func renderLibrary() throws -> [RenderedFile] {
        let view = LibraryView()
        return try libraryTemplates.map { name in
            RenderedFile(path: name, contents: try render(view, with: name))
        }
    }

    private func renderEnvironments(_ config: Config) throws -> [RenderedFile] {
        // Environments are independent: render them on all cores, joined in config order.
        try config.environments.concurrentMap { try render(config, $0) }.flatMap { $0 }
    }

    private func render(_ config: Config, _ environment: Environment) throws -> [RenderedFile] {
        var files = [RenderedFile(path: "\(environment.name)/config.xml",
                                  contents: try render(FolderView(description: folderDescription(config, environment),
                                                                  library: FolderLibraryView(config, environment)),
                                                       with: "xml/folder"))]
        let agentPod = try config.jenkins.sidecar?.kubernetes.map {
            try render(AgentPod.view(config, environment, $0), with: AgentPod.template)
        }
        if let agentPod {
            files.append(RenderedFile(path: "\(environment.name)/\(AgentPod.fileName)", contents: agentPod))
        }
        let builder = PipelineViewBuilder(config: config, environment: environment, agentPod: agentPod)
        for kind in pipelines(for: environment) {
            let view = builder.view(for: kind)
            let jenkinsfile = try render(view, with: kind.template)
            files.append(RenderedFile(path: "\(environment.name)/\(kind.jobName)/Jenkinsfile", contents: jenkinsfile))
            files.append(RenderedFile(path: "\(environment.name)/\(kind.jobName)/config.xml",
                                      contents: try jobXML(config, environment, kind, view, jenkinsfile)))
        }
        return files
    }

    /// The pipelines an environment gets: db-migration only when the config has a database.
    public func pipelines(for environment: Environment) -> [PipelineKind] {
        PipelineKind.allCases.filter { $0 != .dbMigration || environment.database != nil }
    }

    /// A plain managed folder, for the parent folders `register` creates.
    public func folderXML(description: String) throws -> String {
        try render(FolderView(description: description, library: nil), with: "xml/folder")
    }

    /// With `jenkins.library: folder`, the `LibraryConfiguration` element the environment folder's
    /// `FolderLibraries` property holds: what `register` puts into a folder that already exists, in
    /// place of any library of the same name, leaving everything else there as it is. Nil otherwise.
    public func folderLibraryXML(_ config: Config, _ environment: Environment) throws -> String? {
        try FolderLibraryView(config, environment).map { try render($0, with: "xml/library-configuration") }
    }

    public func folderDescription(_ config: Config, _ environment: Environment) -> String {
        "Release pipelines of \(config.name) for \(environment.name). \(Self.managedMarker)"
    }

    private func jobXML(_ config: Config, _ environment: Environment, _ kind: PipelineKind, _ view: PipelineView,
                        _ jenkinsfile: String) throws -> String {
        let scm = config.jenkins.pipelineSource == .scm
        let job = JobView(
            description: "\(kind.summary) Managed by cutover from \(config.jenkins.configPath) (\(config.name), \(environment.name)): "
                + "changes made in Jenkins are overwritten by `cutover register`. \(Self.managedMarker)",
            keepBuilds: view.keepBuilds, parameters: view.parameters,
            inline: scm ? nil : JobView.Inline(script: jenkinsfile),
            scm: scm ? JobView.SCM(url: view.source.url, branch: view.source.branch, credential: view.source.credential,
                                   scriptPath: "\(config.jenkins.renderedPath)/\(environment.name)/\(kind.jobName)/Jenkinsfile") : nil)
        return try render(job, with: "xml/job")
    }

    private func render(_ view: some TemplateRepresentable, with template: String) throws -> String {
        // Escaping follows from the folder, so a template (or a user's override) can never leave a
        // value unescaped for the language it lands in.
        do {
            return try library.render(template, view.templateValue, escaping: Self.escaping(for: template))
        } catch {
            throw RenderError.template(name: template, reason: "\(error)")
        }
    }

    /// The language a template's values land in, decided by its folder and file type: job XML and the
    /// library's help (an HTML subset) are XML text; the agent pod is YAML (double-quoted scalars); the library's resources and README are plain text,
    /// read as data only (and its view holds no config values); everything else is Groovy (values go
    /// inside '...').
    static func escaping(for template: String) -> Escaping {
        if template.hasPrefix("xml/") || (template.hasPrefix("\(libraryFolder)/vars/") && template.hasSuffix(".txt")) {
            return .xml
        }
        if template.hasPrefix("kubernetes/") {
            return .yamlDoubleQuoted
        }
        if template.hasPrefix("\(libraryFolder)/resources/") || template == "\(libraryFolder)/README.md" {
            return .none
        }
        return .groovySingleQuoted
    }
}

struct FolderView {
    var description: String
    var library: FolderLibraryView?
}

/// The cutover library as a folder-level library (`jenkins.library: folder`): the config repository
/// through a Modern SCM retriever, at the config's branch, with `libraryPath` (Pipeline: Groovy
/// Libraries 2.21+). `includeInChangesets` is off so library commits do not show in every job's changes.
struct FolderLibraryView {
    /// The `GitSCMSource` id: fixed, so Jenkins does not invent one and the folder stays unchanged on re-register.
    static let sourceID = "cutover-library"

    var name: String
    var version: String
    var url: String
    var credential: String?
    var path: String

    init?(_ config: Config, _ environment: Environment) {
        guard config.jenkins.library == .folder else { return nil }
        name = PipelineViewBuilder.libraryName
        version = config.jenkins.source.branch
        url = config.jenkins.source.url
        credential = config.jenkins.source.credential
        path = "\(config.jenkins.renderedPath)/\(Renderer.libraryFolder)/"
    }
}

struct JobView {
    struct Inline {
        var script: String
    }

    struct SCM {
        var url: String
        var branch: String
        var credential: String?
        var scriptPath: String
    }

    var description: String
    var keepBuilds: Int
    var parameters: [PipelineView.Parameter]
    var inline: Inline?
    var scm: SCM?
}
