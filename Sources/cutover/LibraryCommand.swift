import ArgumentParser
import CutoverRender

struct LibraryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "library",
        abstract: "Write the cutover shared library alone, for teams that call its steps from their own Jenkinsfiles.",
        discussion: """
        Writes DIR/vars/<step>.groovy and DIR/vars/<step>.txt (one global variable per step, with its help), \
        DIR/resources/ and DIR/README.md: the same files `cutover render` writes under <rendered_path>/library/. \
        The library is the same for every config, so no config is read. Only files whose content changed are \
        written; library files cutover no longer renders are removed, anything else in DIR is left alone. \
        With --check nothing is written: differences are printed as unified diffs and the exit code is 3.
        """
    )

    @Option(name: .long, help: ArgumentHelp("The library's root directory (what a Jenkins library's libraryPath points at).", valueName: "dir"))
    var out: String
    @Option(name: .long, help: ArgumentHelp("Directory of templates overriding the built-in ones (same relative names, e.g. library/vars/cutoverPromote.groovy.mustache).", valueName: "dir"))
    var templates: String?
    @Flag(name: .long, help: "Change nothing; report files that differ from a fresh render and exit 3 if any do.")
    var check = false
    @Flag(name: .long, help: "With --check, list the files that differ without their diffs.")
    var quiet = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reporting(json: output.json) {
            let renderer = try Renderer(templates: templates.map(TemplateSet.init(overrides:)) ?? TemplateSet())
            // Rendered at library/<path>; here DIR is the library's root.
            let files = try renderer.renderLibrary().map {
                RenderedFile(path: String($0.path.dropFirst(Renderer.libraryFolder.count + 1)), contents: $0.contents)
            }
            let directory = OutputDirectory(path: out, libraryOnly: true)
            let changes = try directory.compare(files, environments: nil)
            let report = RenderReport(directory: out, json: output.json, quiet: quiet, command: "cutover library --out \(out)",
                                      source: "cutover's templates")
            if check {
                try report.check(changes)
            } else {
                try directory.apply(changes)
                report.written(changes, total: files.count)
            }
        }
    }
}
