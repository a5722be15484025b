import CutoverAWS
import CutoverCore
import Foundation

/// Restores every group's pre-promotion actions from the journal (or, with no journal, the colour the
/// release does not run on at 100%), in parallel and independently: one group failing never stops
/// another from being restored. Each restore is proved by read-back.
public struct RollbackRunner: Sendable {
    public var context: TrafficContext
    public var reason: String?

    public init(context: TrafficContext, reason: String?) {
        self.context = context
        self.reason = reason
    }

    public func run(dryRun: Bool = false) async throws -> TrafficReport {
        let lock = dryRun ? nil : try context.lock(command: "rollback")
        defer { withExtendedLifetime(lock) {} }
        var journal = try context.loadJournal() ?? context.newJournal()
        let records = journal.groups
        let release = context.release
        let context = self.context
        // One lookup of every unit's target groups; if even that fails, each unit reads its own.
        let known = try? await UnitTraffic.targetGroups(of: context.units, router: context.router)
        let results = await context.forEach(context.units) { unit -> (GroupOutcome, Bool) in
            do {
                let traffic = try await UnitTraffic.read(unit, router: context.router, known: known)
                let desired: [ListenerAction]
                let source: String
                if let record = records[unit.id] {
                    desired = record.saved
                    source = "saved \(ISO8601DateFormatter().string(from: record.savedAt))"
                } else {
                    let keep = traffic.color(of: release)?.other ?? .blue
                    guard let actions = traffic.actions(setting: keep, to: 100) else {
                        throw StepError(code: "rollback.no-forward", message: "\(traffic.point.description) has no forward action to \(unit.targetGroupName(keep))")
                    }
                    desired = actions
                    source = "no saved state: \(keep.rawValue) at 100%"
                }
                var wanted = traffic
                wanted.actions = desired
                let percents = wanted.percents
                if traffic.percents == percents {
                    return (GroupOutcome(unit: unit.id, route: traffic.point.description, state: "unchanged",
                                         blue: percents?[.blue], green: percents?[.green], detail: source), true)
                }
                if dryRun {
                    return (GroupOutcome(unit: unit.id, route: traffic.point.description, state: "planned",
                                         blue: percents?[.blue], green: percents?[.green],
                                         detail: "from \(TrafficContext.describe(traffic.percents)) (\(source))"), true)
                }
                let after = try await context.restore(traffic, to: desired)
                return (GroupOutcome(unit: unit.id, route: traffic.point.description, state: "rolled-back",
                                     blue: after.percents?[.blue], green: after.percents?[.green], detail: source), true)
            } catch {
                return (GroupOutcome(unit: unit.id, route: unit.route.listenerARN, state: "failed", detail: "\(error)"), false)
            }
        }
        let outcomes = results.map(\.0)
        let succeeded = results.allSatisfy(\.1)
        if dryRun { return context.report("rollback", succeeded: true, outcomes) }
        for outcome in outcomes where outcome.state == "rolled-back" || outcome.state == "unchanged" {
            journal.groups[outcome.unit]?.state = .rolledBack
        }
        journal.log("rollback", succeeded ? "done" : "failed", reason, at: context.now())
        try context.journal.save(journal)
        let report = context.report("rollback", succeeded: succeeded, outcomes)
        guard succeeded else {
            let failed = outcomes.filter { $0.state == "failed" }.map(\.unit)
            throw TrafficCommandFailed(report: report, code: "rollback.incomplete",
                                       message: "rollback of \(context.release) could not restore \(failed.joined(separator: ", ")); the other groups were restored",
                                       exitStatus: ExitStatus.failure.rawValue)
        }
        return report
    }
}
