import ArgumentParser
import CutoverCore
import CutoverSteps

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Move every ALB group's traffic to the release's colour, all or nothing.",
        discussion: """
        Preflights every group first (live weights as the release expects, green healthy), saves each \
        route's exact actions in the release journal, then shifts all groups through the configured steps \
        in parallel, reading the weights back after each change and checking health between steps. Traffic \
        moves only to the colour whose target group is tagged cutover:release=<release>. If anything fails \
        (a write, a health read, the journal) or SIGINT/SIGTERM/SIGHUP arrives, every group already moved is \
        put back and checked; exit 1 (or 128+N after a signal), or 8 if a group could not be put back. \
        Holds the environment's lock (in the state store) throughout.
        """)

    @OptionGroup var selection: UnitSelection
    @OptionGroup var releaseOption: ReleaseOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var remote: ServerOption
    @OptionGroup var output: OutputOptions

    @Flag(help: "Read everything and print the plan; change nothing.")
    var dryRun = false

    @Flag(help: "Promote even when the live weights are not what the release expects (someone changed the ALB), or, with --reason, when the schema check refuses.")
    var force = false

    @Option(help: ArgumentHelp("Why --force overrides the schema check (recorded in the journal).", valueName: "text"))
    var reason: String?

    @Option(help: ArgumentHelp("The migrations folder, for the classes of a record built from _prisma_migrations.", valueName: "dir"))
    var migrations = "prisma/migrations"

    func run() async throws {
        try await remote.forwardIfSet(["promote"], config: selection.config, environment: selection.environment)
        try await reportingTraffic(json: output.json) {
            let (config, environment, units) = try selection.resolve()
            let signals = TrafficSignals(mode: .revert, command: "promote", log: progressToStderr)
            let context = try aws.trafficContext(config, environment, release: releaseOption.release, units: units,
                                                 signals: dryRun ? nil : signals)
            var promoter = Promoter(context: context, force: force)
            if environment.database != nil {
                // Promotion needs its schema: the release's migration run recorded, succeeded, and still in the database.
                let verdict = try await SchemaRecording.promotionVerdict(system: config.name, environment: environment.name, release: releaseOption.release,
                                                                         store: context.state, migrations: migrations)
                promoter.overrides += try SchemaRecording.enforce(verdict, code: "promote.schema", what: "promotion of \(releaseOption.release)",
                                                                  force: force, reason: reason)
            }
            guard dryRun else {
                signals.install()
                let promoter = promoter
                return try await signals.run { try await promoter.run() }
            }
            let plans = try await promoter.plan()
            let outcomes = plans.map { plan -> GroupOutcome in
                let percents = plan.traffic.percents
                let detail: String
                if !plan.problems.isEmpty { detail = plan.problems.joined(separator: "; ") }
                else if plan.alreadyPromoted { detail = "already promoted" }
                else { detail = "\(plan.target!.rawValue) \(plan.current)% -> " + plan.steps.map { "\($0)%" }.joined(separator: " -> ") }
                return GroupOutcome(unit: plan.traffic.unit.id, route: plan.traffic.point.description,
                                    state: plan.problems.isEmpty ? "planned" : "refused", blue: percents?[.blue], green: percents?[.green], detail: detail)
            }
            let ok = plans.allSatisfy { $0.problems.isEmpty }
            let report = TrafficReport(command: "promote --dry-run", release: releaseOption.release, environment: environment.name,
                                       succeeded: ok, groups: outcomes)
            guard ok else {
                throw TrafficCommandFailed(report: report, code: "promote.preflight", message: "promotion would be refused",
                                           exitStatus: plans.contains { $0.drift } ? ExitStatus.drift.rawValue : ExitStatus.failure.rawValue)
            }
            return report
        }
    }
}
