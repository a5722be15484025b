import ArgumentParser
import CutoverCore
import CutoverRender
import Foundation

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render each environment's four pipelines as Jenkinsfiles and job config.xml.",
        discussion: """
        Writes OUT/<env>/config.xml (the folder) and OUT/<env>/<pipeline>/{Jenkinsfile,config.xml} for the \
        pipelines db-migration (when the config has a database), service-deploy, promote and rollback, and \
        OUT/library/: the shared library (vars/, resources/) whose steps the pipelines call. \
        Only files whose content changed are written; rendered files of environments or pipelines the config \
        no longer has are removed. The output is deterministic: the same config gives the same bytes. \
        With --check nothing is written: differences are printed as unified diffs and the exit code is 3.
        """
    )

    @OptionGroup var config: ConfigOptions
    @Option(name: .long, help: ArgumentHelp("Render only this environment.", valueName: "name"))
    var env: String?
    @Option(name: .long, help: ArgumentHelp("Output directory. Default: jenkins.rendered_path (jenkins).", valueName: "dir"))
    var out: String?
    @Option(name: .long, help: ArgumentHelp("Directory of templates overriding the built-in ones (same relative names).", valueName: "dir"))
    var templates: String?
    @Flag(name: .long, help: "Change nothing; report files that differ from a fresh render and exit 3 if any do.")
    var check = false
    @Flag(name: .long, help: "With --check, list the files that differ without their diffs.")
    var quiet = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reporting(json: output.json) {
            let loaded = try config.load()
            var selected = loaded
            if let env {
                guard let environment = loaded.environment(named: env) else {
                    throw ValidationError("no environment '\(env)' in \(config.path); it has: \(loaded.environments.map(\.name).joined(separator: ", "))")
                }
                selected.environments = [environment]
            }
            let renderer = try Renderer(templates: templates.map(TemplateSet.init(overrides:)) ?? TemplateSet())
            let files = try renderer.render(selected)
            let directory = out ?? loaded.jenkins.renderedPath
            let changes = try OutputDirectory(path: directory).compare(files, environments: env.map { [$0] })
            let report = RenderReport(directory: directory, json: output.json, quiet: quiet, command: "cutover render")
            if check {
                try report.check(changes)
            } else {
                try OutputDirectory(path: directory).apply(changes)
                report.written(changes, total: files.count)
            }
        }
    }
}

/// What `render` and `library` print: the drift `--check` found (exit 3), or what was written.
struct RenderReport {
    var directory: String
    var json: Bool
    var quiet: Bool
    /// What to run to accept the rendering, named in the drift message.
    var command: String
    /// What the files are rendered from, named in the drift message.
    var source = "the config"

    func check(_ changes: [FileChange]) throws {
        let drift = changes.filter { $0.kind != .unchanged }
        if json {
            printJSON(["ok": drift.isEmpty, "directory": directory,
                       "drift": drift.map { ["path": $0.path, "change": $0.kind.rawValue] }])
        } else if drift.isEmpty {
            print("\(directory): up to date (\(changes.count) files)")
        } else {
            for change in drift {
                print("\(change.kind.driftWord): \(directory)/\(change.path)")
                if !quiet {
                    print(UnifiedDiff.diff(old: change.old ?? "", new: change.new ?? "",
                                           oldLabel: "\(directory)/\(change.path)", newLabel: "rendered/\(change.path)"), terminator: "")
                }
            }
            printError("\(directory): \(drift.count) file\(drift.count == 1 ? "" : "s") differ from \(source); run `\(command)` and commit the result")
        }
        if !drift.isEmpty { throw ExitCode(ExitStatus.drift.rawValue) }
    }

    func written(_ changes: [FileChange], total: Int) {
        let count = { (kind: FileChange.Kind) in changes.filter { $0.kind == kind }.count }
        if json {
            printJSON(["ok": true, "directory": directory, "files": total,
                       "created": changes.filter { $0.kind == .missing }.map(\.path),
                       "updated": changes.filter { $0.kind == .changed }.map(\.path),
                       "removed": changes.filter { $0.kind == .extra }.map(\.path)])
        } else {
            for change in changes where change.kind != .unchanged {
                print("\(change.kind.writeWord) \(directory)/\(change.path)")
            }
            print("\(directory): \(total) files: \(count(.missing)) created, \(count(.changed)) updated, \(count(.unchanged)) unchanged, \(count(.extra)) removed")
        }
    }
}

extension FileChange.Kind {
    var driftWord: String {
        switch self {
        case .missing: "missing"
        case .changed: "differs"
        case .extra: "not rendered"
        case .unchanged: "unchanged"
        }
    }

    var writeWord: String {
        switch self {
        case .missing: "created"
        case .changed: "updated"
        case .extra: "removed"
        case .unchanged: "unchanged"
        }
    }
}
