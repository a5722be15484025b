import CutoverAWS
import CutoverCore
import Foundation

/// Moves every unit's traffic to the colour a release runs on, through the configured steps, all or
/// nothing: preflight every group before touching any, save each route's exact actions in the
/// journal, shift all groups a step at a time with a read-back after each change and a health gate
/// between steps, and put every touched group back if any group fails.
public struct Promoter: Sendable {
    public var context: TrafficContext
    public var force: Bool

    public init(context: TrafficContext, force: Bool) {
        self.context = context
        self.force = force
    }

    /// One group's preflight: where it is, where it goes, and anything that forbids going.
    public struct Plan: Sendable {
        public var traffic: UnitTraffic
        public var target: Color?
        public var current: Int
        public var problems: [String]
        public var drift: Bool
        public var alreadyPromoted: Bool
        public var steps: [Int]
    }

    /// Reads every group (no writes) and says what promotion would do: `--dry-run` prints this.
    public func plan() async throws -> [Plan] {
        let journal = try context.loadJournal()
        let known = try await UnitTraffic.targetGroups(of: context.units, router: context.router)
        return try await context.forEachUnit { unit in
            try await preflight(unit, journal: journal, known: known)
        }
    }

    func preflight(_ unit: DeployUnit, journal: ReleaseJournal?, known: [String: TargetGroupInfo]) async throws -> Plan {
        let traffic = try await UnitTraffic.read(unit, router: context.router, known: known)
        var plan = Plan(traffic: traffic, target: traffic.color(of: context.release), current: 0, problems: [], drift: false,
                        alreadyPromoted: false, steps: [])
        guard let target = plan.target, traffic.groups[target] != nil else {
            plan.problems.append("neither target group (\(unit.targetGroupName(.blue)), \(unit.targetGroupName(.green))) is tagged \(Tag.release)=\(context.release)\nhint: provision or deploy release \(context.release) for \(unit.id) first")
            return plan
        }
        guard let percents = traffic.percents else {
            plan.problems.append("\(traffic.point.description) has no forward action to \(unit.targetGroupName(.blue)) or \(unit.targetGroupName(.green))")
            return plan
        }
        plan.current = percents[target] ?? 0
        if plan.current == 100 {
            plan.alreadyPromoted = true
            return plan
        }
        let record = journal?.groups[unit.id]
        let known = plan.current == 0 || (record?.target == target && record?.applied.contains(plan.current) == true)
        if !known {
            plan.drift = true
            if !force {
                plan.problems.append("live weights are blue \(percents[.blue] ?? 0)% / green \(percents[.green] ?? 0)%, not what release \(context.release) expects (\(target.rawValue) at 0% before promotion\(record.map { ", or one of the steps it applied: \($0.applied.map { "\($0)%" }.joined(separator: ", "))" } ?? ""))\nhint: someone changed the load balancer; check it, then rerun with --force to promote from here")
            }
        }
        plan.steps = context.promotion.steps.filter { $0 > plan.current }
        if plan.steps.last != 100 { plan.steps.append(100) }
        if let problem = try await context.healthProblem(traffic, color: target) {
            plan.problems.append(problem)
        }
        return plan
    }

    public func run() async throws -> TrafficReport {
        let lock = try context.lock(command: "promote")
        defer { withExtendedLifetime(lock) {} }
        var journal = try context.loadJournal() ?? context.newJournal()
        var plans: [String: Plan] = [:]
        let before = journal
        let known = try await UnitTraffic.targetGroups(of: context.units, router: context.router)
        for plan in try await context.forEachUnit({ try await preflight($0, journal: before, known: known) }) {
            plans[plan.traffic.unit.id] = plan
        }
        let refused = plans.values.filter { !$0.problems.isEmpty }
        if !refused.isEmpty {
            let outcomes = context.units.map { unit -> GroupOutcome in
                let plan = plans[unit.id]!
                return outcome(plan, state: plan.problems.isEmpty ? "ready" : "refused", detail: plan.problems.joined(separator: "; "))
            }
            let drift = refused.allSatisfy(\.drift)
            throw TrafficCommandFailed(
                report: context.report("promote", succeeded: false, outcomes),
                code: drift ? "promote.drift" : "promote.preflight",
                message: "promotion of \(context.release) refused before any change: \(refused.count) of \(plans.count) groups failed preflight",
                exitStatus: drift ? ExitStatus.drift.rawValue : ExitStatus.failure.rawValue)
        }

        // Save every route's pre-promotion actions before the first write (kept from an earlier,
        // interrupted run: those are the true "before").
        for plan in plans.values where !plan.alreadyPromoted {
            let unit = plan.traffic.unit
            if journal.groups[unit.id] == nil || plan.current == 0 {
                journal.groups[unit.id] = ReleaseJournal.GroupRecord(
                    point: plan.traffic.point, saved: plan.traffic.actions, savedAt: context.now(), target: plan.target!,
                    applied: journal.groups[unit.id]?.applied ?? [], state: .saved)
            }
        }
        journal.log("promote", "started", force ? "--force" : nil, at: context.now())
        try context.journal.save(journal)

        var live: [String: UnitTraffic] = plans.mapValues(\.traffic)
        var failure: (unit: String, message: String)?
        let allSteps = Array(Set(plans.values.flatMap(\.steps))).sorted()
        stepping: for (index, step) in allSteps.enumerated() {
            let movers = context.units.filter { plans[$0.id].map { !$0.alreadyPromoted && $0.steps.contains(step) } ?? false }
            guard !movers.isEmpty else { continue }
            // Recorded before the write: a run killed mid-write leaves weights the next run recognises.
            for unit in movers {
                journal.groups[unit.id]?.applied.append(step)
                journal.groups[unit.id]?.state = .shifting
            }
            try context.journal.save(journal)
            context.progress("promote: \(movers.count) group\(movers.count == 1 ? "" : "s") to \(step)%")
            let (current, fixedPlans) = (live, plans)
            let results = await context.forEach(movers) { unit -> (String, Result<UnitTraffic, any Error>) in
                do {
                    return (unit.id, .success(try await shift(current[unit.id]!, to: fixedPlans[unit.id]!.target!, percent: step)))
                } catch {
                    return (unit.id, .failure(error))
                }
            }
            for (id, result) in results {
                switch result {
                case .success(let traffic): live[id] = traffic
                case .failure(let error): failure = failure ?? (id, "\(error)")
                }
            }
            if failure != nil { break stepping }
            // Bake between steps (and after the last) while watching green's health.
            let isLast = index == allSteps.count - 1
            if let problem = try await bake(movers.map { live[$0.id]! }, plans: plans, seconds: isLast ? 0 : context.promotion.bakeSeconds) {
                failure = problem
                break stepping
            }
        }

        if let failure {
            let outcomes = await revert(plans: plans, live: live, journal: &journal, failed: failure)
            journal.log("promote", "reverted", "\(failure.unit): \(failure.message)", at: context.now())
            try context.journal.save(journal)
            throw TrafficCommandFailed(
                report: context.report("promote", succeeded: false, outcomes), code: "promote.reverted",
                message: "promotion of \(context.release) failed at \(failure.unit): \(failure.message)\nevery group was put back to its saved state",
                exitStatus: ExitStatus.failure.rawValue)
        }
        var outcomes: [GroupOutcome] = []
        for unit in context.units {
            let plan = plans[unit.id]!
            if !plan.alreadyPromoted { journal.groups[unit.id]?.state = .promoted }
            outcomes.append(outcome(plan, traffic: live[unit.id]!, state: plan.alreadyPromoted ? "already-promoted" : "promoted"))
        }
        journal.log("promote", "done", at: context.now())
        try context.journal.save(journal)
        return context.report("promote", succeeded: true, outcomes)
    }

    /// Sets `target` to `percent` on one route, then reads it back and proves the weights applied.
    func shift(_ traffic: UnitTraffic, to target: Color, percent: Int) async throws -> UnitTraffic {
        guard let actions = traffic.actions(setting: target, to: percent) else {
            throw StepError(code: "promote.no-forward", message: "\(traffic.point.description) has no forward action to shift")
        }
        let after = try await traffic.writing(actions, through: context.router)
        let applied = after.percents?[target] ?? -1
        guard applied == percent else {
            throw StepError(code: "promote.readback", message: "\(traffic.point.description) reads back \(target.rawValue) at \(applied)% after setting \(percent)%")
        }
        return after
    }

    /// Waits `seconds` while checking the target colour's health every few seconds (once when 0).
    func bake(_ groups: [UnitTraffic], plans: [String: Plan], seconds: Int) async throws -> (unit: String, message: String)? {
        let deadline = context.now().addingTimeInterval(Double(seconds))
        let context = self.context
        repeat {
            // Every group's health at once: the checks only read, and depend on nothing but the write.
            let problems = try await context.forEachUnit { unit -> (String, String)? in
                guard let traffic = groups.first(where: { $0.unit.id == unit.id }) else { return nil }
                return try await context.healthProblem(traffic, color: plans[unit.id]!.target!).map { (unit.id, $0) }
            }
            if let problem = problems.compactMap({ $0 }).first { return problem }
            let left = deadline.timeIntervalSince(context.now())
            if left <= 0 { break }
            try await context.sleep(.milliseconds(Int(min(left, 5) * 1000)))
        } while true
        return nil
    }

    /// Puts every group promote touched back to its saved actions, verified by read-back.
    func revert(plans: [String: Plan], live: [String: UnitTraffic], journal: inout ReleaseJournal,
                failed: (unit: String, message: String)) async -> [GroupOutcome] {
        let records = journal.groups
        let results = await context.forEach(context.units) { unit -> (GroupOutcome, ReleaseJournal.GroupState?) in
            let plan = plans[unit.id]!
            guard !plan.alreadyPromoted, let record = records[unit.id] else {
                return (outcome(plan, traffic: live[unit.id], state: "unchanged"), nil)
            }
            let detail = unit.id == failed.unit ? failed.message : nil
            do {
                let restored = try await context.restore(plan.traffic, to: record.saved)
                return (outcome(plan, traffic: restored, state: "reverted", detail: detail), .reverted)
            } catch {
                return (outcome(plan, traffic: live[unit.id], state: "failed",
                                detail: "could not be put back: \(error) — fix by hand or run `cutover rollback --release \(context.release)`"), .failed)
            }
        }
        for (index, unit) in context.units.enumerated() {
            if let state = results[index].1 { journal.groups[unit.id]?.state = state }
        }
        return results.map(\.0)
    }

    func outcome(_ plan: Plan, traffic: UnitTraffic? = nil, state: String, detail: String? = nil) -> GroupOutcome {
        let percents = (traffic ?? plan.traffic).percents
        return GroupOutcome(unit: plan.traffic.unit.id, route: plan.traffic.point.description, state: state,
                            blue: percents?[.blue], green: percents?[.green], detail: detail?.isEmpty == true ? nil : detail)
    }
}
