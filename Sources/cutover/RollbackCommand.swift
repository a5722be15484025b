import ArgumentParser
import CutoverCore
import CutoverSteps

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Restore every ALB group to its state before the release was promoted.",
        discussion: """
        Each group gets back the exact actions saved in the release journal before promotion, once every \
        target group that takes traffic in them is proved to carry the release tag it had when they were \
        saved. Nothing moves when any group cannot be restored safely, or when the release has no saved \
        state and runs on no group (a mistyped release). Groups are restored in parallel and independently; \
        each restore is verified by reading it back. SIGINT/SIGTERM/SIGHUP let the restores finish, then \
        exit 128+N. Exit 8 when a group is left split.
        """)

    @OptionGroup var selection: UnitSelection
    @OptionGroup var releaseOption: ReleaseOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var remote: ServerOption
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Why (recorded in the journal).", valueName: "text"))
    var reason: String?

    @Flag(help: "Print what would be restored; change nothing.")
    var dryRun = false

    @Flag(help: "Roll back even though a contract migration ran with or after the release (needs --reason).")
    var force = false

    func run() async throws {
        try await remote.forwardIfSet(["rollback"], config: selection.config, environment: selection.environment)
        try await reportingTraffic(json: output.json) {
            let (config, environment, units) = try selection.resolve()
            let signals = TrafficSignals(mode: .finish, command: "rollback", log: progressToStderr)
            let context = try aws.trafficContext(config, environment, release: releaseOption.release, units: units,
                                                 signals: dryRun ? nil : signals)
            var runner = RollbackRunner(context: context, reason: reason)
            if environment.database != nil {
                // The release before comes back against today's schema: refuse across a contract migration.
                let journal = try await SchemaJournalStore(store: context.state).load(system: config.name, environment: environment.name)
                let since = try await context.journal.load(system: config.name, environment: environment.name, release: releaseOption.release)?
                    .journal.groups.values.map(\.savedAt).min()
                let verdict = SchemaGate.rollback(of: releaseOption.release, journal: journal, since: since)
                runner.overrides += try SchemaRecording.enforce(verdict, code: "rollback.schema", what: "rollback of \(releaseOption.release)",
                                                                force: force, reason: reason)
            }
            guard dryRun else {
                signals.install()
                let runner = runner
                return try await signals.run { try await runner.run() }
            }
            return try await runner.run(dryRun: true)
        }
    }
}
