import CutoverAWS
import CutoverCore
import CutoverState
import Foundation

/// Restores every group's pre-promotion actions from the journal. Nothing moves unless every group
/// can be restored safely: a group whose saved actions would now send traffic to a different
/// release, or a release with no saved state at all (a mistyped RELEASE), refuses the whole rollback.
/// The restores then run in parallel and independently — one failing never stops another — each
/// through a `TrafficChange`, so each is proved by read-back. A signal lets them finish.
public struct RollbackRunner: Sendable {
    public var context: TrafficContext
    public var reason: String?
    /// Checks a person overrode (`--force --reason`), recorded in the journal with the rollback.
    public var overrides: [String] = []

    public init(context: TrafficContext, reason: String?) {
        self.context = context
        self.reason = reason
    }

    /// What rollback will do with one group.
    struct Plan: Sendable {
        var traffic: UnitTraffic
        /// The actions to put back; nil when nothing moves.
        var restore: [ListenerAction]?
        var refusal: String?
        var detail: String
    }

    public func run(dryRun: Bool = false) async throws -> TrafficReport {
        if dryRun { return try await rollback(document: try await context.loadJournal(), lock: nil) }
        return try await context.withLock("rollback") { lock in
            try await rollback(document: try await context.loadJournal(), lock: lock)
        }
    }

    private func rollback(document: JournalDocument?, lock: StateLock?) async throws -> TrafficReport {
        let started = context.now()
        let plans = try await plan(document?.journal)
        let refused = plans.filter { $0.refusal != nil }
        if !refused.isEmpty {
            throw TrafficCommandFailed(
                report: context.report("rollback", succeeded: false, plans.map { outcome($0, state: $0.refusal == nil ? "ready" : "refused") }),
                code: "rollback.refused",
                message: "rollback of \(context.release) refused before any change: \(refused.count) of \(plans.count) groups cannot be restored safely",
                exitStatus: ExitStatus.failure.rawValue)
        }
        guard let lock else {
            return context.report("rollback --dry-run", succeeded: true, plans.map { outcome($0, state: $0.restore == nil ? "unchanged" : "planned") })
        }
        let moving = plans.filter { $0.restore != nil }
        let change = TrafficChange(router: context.router, routes: moving.map { ($0.traffic, nil) }, beforeWrite: { try lock.ensureHeld() })
        context.signals?.watch { await change.pending() }
        context.progress("rollback \(context.release): restoring \(moving.count) of \(plans.count) groups")
        let context = self.context
        let results = await context.forEach(moving.map(\.traffic.unit)) { unit -> (String, Result<UnitTraffic, any Error>) in
            let plan = moving.first { $0.traffic.unit.id == unit.id }!
            do {
                let after = try await change.move(unit.id, to: plan.restore!)
                context.progress("  \(unit.id): restored (\(after.weights))")
                return (unit.id, .success(after))
            } catch {
                context.progress("  \(unit.id): NOT restored: \(error)")
                return (unit.id, .failure(error))
            }
        }
        return try await finish(plans, results: Dictionary(uniqueKeysWithValues: results), change: change, document: document, started: started)
    }

    /// Reads every group and decides, without writing, what its restore is or why it is refused.
    func plan(_ journal: ReleaseJournal?) async throws -> [Plan] {
        let location = context.state.location
        return try await UnitTraffic.readAll(context.units, router: context.router).map { traffic in
            let unit = traffic.unit
            if let record = journal?.groups[unit.id] {
                if traffic.actions.sameEffect(as: record.saved) {
                    return Plan(traffic: traffic, restore: nil, refusal: nil, detail: "already as saved \(Self.time(record.savedAt))")
                }
                if let problem = RestoreCheck.problem(restoring: record, to: traffic) {
                    return Plan(traffic: traffic, restore: nil, refusal: problem, detail: problem)
                }
                var wanted = traffic
                wanted.actions = record.saved
                return Plan(traffic: traffic, restore: record.saved, refusal: nil,
                            detail: "from \(traffic.weights) to \(wanted.weights), as saved \(Self.time(record.savedAt))")
            }
            guard let color = traffic.color(of: context.release) else {
                let refusal = "release \(context.release) runs on neither \(unit.targetGroupName(.blue)) nor \(unit.targetGroupName(.green)) and \(location) holds no saved state for it\nhint: check the release name (the one promoted, as tagged \(Tag.release) on its target groups)"
                return Plan(traffic: traffic, restore: nil, refusal: refusal, detail: refusal)
            }
            if (traffic.percents?[color] ?? 0) == 0 {
                return Plan(traffic: traffic, restore: nil, refusal: nil, detail: "release \(context.release) (\(color.rawValue)) takes no traffic")
            }
            let other = traffic.groups[color.other]?.release
            let refusal = "release \(context.release) (\(color.rawValue)) takes traffic (\(traffic.weights)) but \(location) holds no saved state to restore\nhint: \(other.map { "to send all traffic to the other colour, promote the release it runs: `cutover promote --release \($0)`" } ?? "the other colour carries no release tag; fix the routes by hand")"
            return Plan(traffic: traffic, restore: nil, refusal: refusal, detail: refusal)
        }
    }

    /// Records the outcome and turns it into the report or the error the CLI prints.
    private func finish(_ plans: [Plan], results: [String: Result<UnitTraffic, any Error>], change: TrafficChange,
                        document: JournalDocument?, started: Date) async throws -> TrafficReport {
        var outcomes: [GroupOutcome] = []
        var failed: [String] = []
        let live = await change.live
        for plan in plans {
            let id = plan.traffic.unit.id
            switch results[id] {
            case .success(let after)?:
                outcomes.append(outcome(plan, traffic: after, state: "rolled-back"))
            case .failure(let error)?:
                let now = (try? await context.router.actions(at: plan.traffic.point)).map { actions -> UnitTraffic in
                    var traffic = plan.traffic
                    traffic.actions = actions
                    return traffic
                } ?? live[id]
                failed.append("\(id): \(now?.weights ?? "weights unknown") — \(error)")
                outcomes.append(outcome(plan, traffic: now, state: "failed", detail: "\(error)"))
            case nil:
                outcomes.append(outcome(plan, state: "unchanged"))
            }
        }
        var journalNote = ""
        if var document {
            for outcome in outcomes where outcome.state == "rolled-back" || outcome.state == "unchanged" {
                document.journal.groups[outcome.unit]?.state = .rolledBack
            }
            for override in overrides { document.journal.log("rollback", "override", override, at: context.now()) }
            document.journal.log("rollback", failed.isEmpty ? "done" : "failed", reason, at: context.now(), startedAt: started)
            do { try await context.journal.save(&document) } catch { journalNote = "\n(the journal could not record this: \(error))" }
        }
        let report = context.report("rollback", succeeded: failed.isEmpty, outcomes)
        guard failed.isEmpty else {
            let split = outcomes.contains { $0.state == "failed" && ($0.blue ?? 0) > 0 && ($0.green ?? 0) > 0 }
            throw TrafficCommandFailed(
                report: report, code: split ? "rollback.split" : "rollback.incomplete",
                message: (split ? "TRAFFIC IS SPLIT — act now. " : "") + "rollback of \(context.release) could not restore \(failed.count) group\(failed.count == 1 ? "" : "s"); the others were restored:\n  " + failed.joined(separator: "\n  ") + "\nhint: rerun the rollback; it restores only what is still away from its saved state" + journalNote,
                exitStatus: split ? ExitStatus.split.rawValue : ExitStatus.failure.rawValue)
        }
        if let status = context.signals?.exitStatus {
            throw TrafficCommandFailed(report: report, code: "rollback.interrupted",
                                       message: "rollback of \(context.release) finished restoring every group after \(TrafficSignals.name(status - 128)); exiting \(status)" + journalNote,
                                       exitStatus: status)
        }
        if !journalNote.isEmpty { context.progress("warning: \(journalNote.dropFirst())") }
        context.progress("rollback \(context.release): done")
        return report
    }

    private func outcome(_ plan: Plan, traffic: UnitTraffic? = nil, state: String, detail: String? = nil) -> GroupOutcome {
        let percents = (traffic ?? plan.traffic).percents
        return GroupOutcome(unit: plan.traffic.unit.id, route: plan.traffic.point.description, state: state,
                            blue: percents?[.blue], green: percents?[.green], detail: detail ?? plan.detail)
    }

    static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
