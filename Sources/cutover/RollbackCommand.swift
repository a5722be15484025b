import ArgumentParser
import CutoverCore
import CutoverSteps

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Restore every ALB group to its state before the release was promoted.",
        discussion: """
        Each group gets back the exact actions saved in the release journal before promotion (or, with no \
        journal, the colour the release does not run on at 100%). Groups are restored in parallel and \
        independently: one failing never stops the others. Each restore is verified by reading it back.
        """)

    @OptionGroup var selection: UnitSelection
    @OptionGroup var releaseOption: ReleaseOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Why (recorded in the journal).", valueName: "text"))
    var reason: String?

    @Flag(help: "Print what would be restored; change nothing.")
    var dryRun = false

    func run() async throws {
        try await reportingTraffic(json: output.json) {
            let (config, environment, units) = try selection.resolve()
            let context = try aws.trafficContext(config, environment, release: releaseOption.release, units: units)
            return try await RollbackRunner(context: context, reason: reason).run(dryRun: dryRun)
        }
    }
}
