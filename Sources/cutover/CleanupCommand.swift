import ArgumentParser
import CutoverAWS
import CutoverCore
import CutoverSteps
import Foundation

struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "After a promotion, retire the ECS service and target group the release replaced.",
        discussion: "Refuses for any unit where the release's colour does not take all traffic. Instance fleets keep both groups.")

    @OptionGroup var selection: UnitSelection
    @OptionGroup var releaseOption: ReleaseOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Print what would be deleted; change nothing.")
    var dryRun = false

    func run() async throws {
        try await reportingTraffic(json: output.json) {
            let (_, environment, units) = try selection.resolve(kinds: [.ecs])
            let client = try aws.client(for: environment)
            var outcomes: [GroupOutcome] = []
            var failed = false
            for unit in units {
                guard case .ecs(let deployment) = unit.deployment else { continue }
                let cleanup = ECSCleanup(unit: unit, deployment: deployment, release: releaseOption.release,
                                         elbv2: ELBv2Client(client: client), ecs: ECSClient(client: client))
                do {
                    outcomes.append(try await cleanup.run(dryRun: dryRun))
                } catch {
                    failed = true
                    outcomes.append(GroupOutcome(unit: unit.id, route: unit.route.listenerARN, state: "refused", detail: "\(error)"))
                }
            }
            let report = TrafficReport(command: dryRun ? "cleanup --dry-run" : "cleanup", release: releaseOption.release,
                                       environment: environment.name, succeeded: !failed, groups: outcomes)
            if failed {
                throw TrafficCommandFailed(report: report, code: "cleanup.refused", message: "cleanup did not complete for every unit",
                                           exitStatus: ExitStatus.failure.rawValue)
            }
            return report
        }
    }
}
