import ArgumentParser
import CutoverCore
import CutoverJenkins
import CutoverRender
import Foundation

struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Make Jenkins hold exactly the pipelines the config describes.",
        discussion: """
        Renders the pipelines in memory, reads each job's config.xml from Jenkins, and creates or updates only \
        the jobs whose configuration differs (compared as Jenkins means it: XML declaration, indentation and \
        plugin versions do not count). Folders, nested ones included, are created when missing and otherwise \
        left alone. A job edited by hand in Jenkins is noticed and restored. \
        With --prune, jobs in the environment folders that the config no longer has are deleted, but only \
        those carrying cutover's managed marker in their description; anything else is reported and kept. \
        Credentials: JENKINS_USER and JENKINS_TOKEN (an API token).
        """
    )

    @OptionGroup var config: ConfigOptions
    @Option(name: .long, help: ArgumentHelp("Register only this environment.", valueName: "name"))
    var env: String?
    @Option(name: .long, help: ArgumentHelp("Directory of templates overriding the built-in ones.", valueName: "dir"))
    var templates: String?
    @OptionGroup var jenkins: JenkinsOptions
    @Flag(name: .long, help: "Change nothing: print what would be created, updated (with a diff), unchanged or pruned.")
    var dryRun = false
    @Flag(name: .long, help: "Delete managed jobs in the environment folders that the config no longer has.")
    var prune = false
    @Option(name: .long, help: ArgumentHelp("Requests to Jenkins in flight at once.", valueName: "n"))
    var concurrency = 8
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 64") }
    }

    func run() async throws {
        try await reporting(json: output.json) {
            let started = ContinuousClock.now
            let loaded = try config.load()
            var selected = loaded
            if let env {
                guard let environment = loaded.environment(named: env) else {
                    throw ValidationError("no environment '\(env)' in \(config.path); it has: \(loaded.environments.map(\.name).joined(separator: ", "))")
                }
                selected.environments = [environment]
            }
            let renderer = try Renderer(templates: templates.map(TemplateSet.init(overrides:)) ?? TemplateSet())
            let desired = try DesiredItem.all(for: selected, renderer: renderer)
            let client = try jenkins.client(config: loaded)
            let registrar = Registrar(jenkins: client, concurrency: concurrency, managedMarker: Renderer.managedMarker,
                                      serverLabel: client.baseURL.absoluteString)
            let folder = ItemPath(loaded.jenkins.folder)
            let scopes = prune ? selected.environments.map { folder.appending($0.name) } : []
            var steps = try await registrar.plan(desired, pruneScopes: scopes)
            if !dryRun { steps = await registrar.apply(steps, desired: desired) }
            let elapsed = ContinuousClock.now - started
            // The pipelines load the library from git at the config's branch (an inline `library` step), so
            // nothing of it is registered; a dry run says whether the library in the checkout is the one the
            // config renders, since that is what Jenkins will load.
            let library = dryRun ? try libraryChanges(renderer, renderedPath: loaded.jenkins.renderedPath) : []
            report(steps, elapsed: elapsed, library: library)
            if steps.contains(where: { $0.error != nil }) { throw ExitCode(ExitStatus.failure.rawValue) }
        }
    }

    /// The rendered library against `<rendered_path>/library/` in this checkout.
    private func libraryChanges(_ renderer: Renderer, renderedPath: String) throws -> [FileChange] {
        let files = try renderer.renderLibrary()
        return try OutputDirectory(path: renderedPath).compare(files, environments: [])
            .filter { $0.path.hasPrefix(Renderer.libraryFolder + "/") }
    }

    private func report(_ steps: [RegistrationStep], elapsed: Duration, library: [FileChange]) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let count = { (action: RegistrationStep.Action) in steps.filter { $0.action == action && $0.error == nil }.count }
        let failed = steps.filter { $0.error != nil }
        let jobs = steps.filter { $0.kind == .job && $0.action != .keep && $0.action != .prune }.count
        let folders = steps.filter { $0.kind == .folder && $0.action != .keep && $0.action != .prune }.count
        if output.json {
            printJSON(["ok": failed.isEmpty, "dryRun": dryRun, "seconds": (seconds * 1000).rounded() / 1000,
                       "created": count(.create), "updated": count(.update), "unchanged": count(.unchanged) + count(.exists),
                       "pruned": count(.prune), "kept": count(.keep), "failed": failed.count,
                       "library": library.map { ["path": $0.path, "state": $0.kind.rawValue] },
                       "items": steps.map { step -> [String: Any] in
                           var item: [String: Any] = ["path": step.path.description, "kind": step.kind.rawValue, "action": step.action.rawValue]
                           if let diff = step.diff, dryRun { item["diff"] = diff }
                           if let error = step.error { item["error"] = error }
                           return item
                       }])
            return
        }
        let would = dryRun ? "would be " : ""
        for step in steps where step.action != .unchanged && step.action != .exists || step.error != nil {
            let label: String
            switch step.action {
            case .keep: label = "kept (not managed by cutover)"
            default: label = would + step.action.rawValue
            }
            print("\(label.padding(toLength: max(10, label.count), withPad: " ", startingAt: 0)) \(step.path) (\(step.kind.rawValue))")
            if let error = step.error { print("  FAILED: \(error)") }
            if dryRun, let diff = step.diff { print(diff, terminator: "") }
        }
        if dryRun, !library.isEmpty {
            let stale = library.filter { $0.kind != .unchanged }
            for change in stale { print("library   \(change.path): \(change.kind.rawValue) (run `cutover render` and commit it: Jenkins loads the library from git)") }
            print("library: \(library.count - stale.count) of \(library.count) files as the config renders them")
        }
        var summary = "register: \(jobs) jobs, \(folders) folders: \(count(.create)) \(would)created, \(count(.update)) \(would)updated, "
            + "\(count(.unchanged) + count(.exists)) unchanged"
        if prune { summary += ", \(count(.prune)) \(would)pruned, \(count(.keep)) kept" }
        if !failed.isEmpty { summary += ", \(failed.count) FAILED" }
        summary += String(format: " in %.2f s", seconds)
        print(summary)
    }
}
