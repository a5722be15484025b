import ArgumentParser
import CutoverAWS
import CutoverCore
import CutoverState
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
    @OptionGroup var remote: ServerOption
    @OptionGroup var output: OutputOptions

    @Flag(help: "Print what would be deleted; change nothing.")
    var dryRun = false

    func run() async throws {
        try await remote.forwardIfSet(["cleanup"], config: selection.config, environment: selection.environment)
        try await reportingTraffic(json: output.json) {
            let (config, environment, units) = try selection.resolve(kinds: [.ecs])
            let client = try aws.client(for: environment)
            let cleanup = { @Sendable (lock: StateLock?) async -> [(GroupOutcome, ExitStatus?)] in
                var outcomes: [(GroupOutcome, ExitStatus?)] = []
                for unit in units {
                    guard case .ecs(let deployment) = unit.deployment else { continue }
                    var cleanup = ECSCleanup(unit: unit, deployment: deployment, release: releaseOption.release,
                                             elbv2: ELBv2Client(client: client), ecs: ECSClient(client: client))
                    cleanup.beforeWrite = { try lock?.ensureHeld() }
                    do {
                        let outcome = try await cleanup.run(dryRun: dryRun)
                        progressToStderr("cleanup \(unit.id): \(outcome.state): \(outcome.detail ?? "")")
                        outcomes.append((outcome, nil))
                    } catch {
                        let status = (error as? any CutoverError)?.exitStatus ?? .failure
                        progressToStderr("cleanup \(unit.id): \(status == .checkFailed ? "refused" : "failed"): \(error)")
                        outcomes.append((GroupOutcome(unit: unit.id, route: unit.route.listenerARN, state: status == .checkFailed ? "refused" : "failed",
                                                      detail: "\(error)"), status))
                    }
                }
                return outcomes
            }
            let results = dryRun ? await cleanup(nil)
                : try await aws.holdingLock(config, environment, command: "cleanup", release: releaseOption.release,
                                          outcome: { $0.allSatisfy { $0.1 == nil } ? "done" : "failed" }) { await cleanup($0) }
            let report = TrafficReport(command: dryRun ? "cleanup --dry-run" : "cleanup", release: releaseOption.release,
                                       environment: environment.name, succeeded: results.allSatisfy { $0.1 == nil }, groups: results.map(\.0))
            // The worst outcome decides: a route left split (8), then a failure (1), then a refused check (6).
            let statuses = results.compactMap(\.1)
            if let worst = [ExitStatus.split, .failure, .checkFailed].first(where: statuses.contains) ?? statuses.first {
                throw TrafficCommandFailed(report: report, code: worst == .checkFailed ? "cleanup.refused" : "cleanup.failed",
                                           message: "cleanup did not complete for every unit", exitStatus: worst.rawValue)
            }
            return report
        }
    }
}
