import CutoverAWS
import CutoverCore
import Foundation

extension Promoter {
    /// One group's preflight: where it is, where it goes, and anything that forbids going.
    public struct Plan: Sendable {
        public var traffic: UnitTraffic
        /// The colour whose target group carries `cutover:release=<release>`: the only colour traffic moves to.
        public var target: Color?
        public var current: Int
        public var problems: [String]
        public var drift: Bool
        public var alreadyPromoted: Bool
        public var steps: [Int]

        /// Every step any of `plans` takes, in order: the promotion's rounds.
        static func steps(of plans: [Plan]) -> [Int] { Array(Set(plans.flatMap(\.steps))).sorted() }
    }

    /// Every group's preflight at once, from one batched read of all routes and target groups.
    func preflight(journal: ReleaseJournal?) async throws -> [Plan] {
        let routes = try await UnitTraffic.readAll(context.units, router: context.router)
        return try await context.forEachUnit { unit in
            try await preflight(routes.first { $0.unit.id == unit.id }!, journal: journal)
        }
    }

    func preflight(_ traffic: UnitTraffic, journal: ReleaseJournal?) async throws -> Plan {
        let unit = traffic.unit
        var plan = Plan(traffic: traffic, target: traffic.color(of: context.release), current: 0, problems: [], drift: false,
                        alreadyPromoted: false, steps: [])
        guard let target = plan.target, traffic.groups[target] != nil else {
            plan.problems.append("neither target group (\(unit.targetGroupName(.blue)), \(unit.targetGroupName(.green))) is tagged \(Tag.release)=\(context.release)\nhint: check the release name; provision or deploy release \(context.release) for \(unit.id) first")
            return plan
        }
        guard let percents = traffic.percents, let index = traffic.forwardIndex else {
            plan.problems.append("\(traffic.point.description) has no forward action to \(unit.targetGroupName(.blue)) or \(unit.targetGroupName(.green))")
            return plan
        }
        let pair = Set(traffic.groups.values.map(\.arn))
        if let third = traffic.actions[index].forwardGroups.first(where: { !pair.contains($0.arn) && $0.weight > 0 }) {
            plan.problems.append("\(traffic.point.description) also forwards to \(third.arn) (weight \(third.weight)) besides \(unit.targetGroupName(.blue)) and \(unit.targetGroupName(.green)); cutover moves a blue/green pair only\nhint: set that group's weight to 0 or give it a rule of its own")
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
                plan.problems.append("live weights are \(traffic.weights), not what release \(context.release) expects (\(target.rawValue) at 0% before promotion\(record.map { ", or one of the steps it applied: \($0.applied.map { "\($0)%" }.joined(separator: ", "))" } ?? ""))\nhint: someone changed the load balancer; check it, then rerun with --force to promote from here")
            }
        }
        // A resumed promotion reverts to the actions saved by the first run: they must still be safe.
        if plan.current != 0, let record, let problem = RestoreCheck.problem(restoring: record, to: traffic) {
            plan.problems.append(problem)
        }
        plan.steps = context.promotion.steps.filter { $0 > plan.current }
        if plan.steps.last != 100 { plan.steps.append(100) }
        if let problem = try await context.health(traffic, color: target).problem {
            plan.problems.append(problem)
        }
        return plan
    }

    /// Refuses the whole promotion, before any change, when any group failed preflight.
    func refuseIfAnyProblem(_ plans: [Plan]) throws {
        let refused = plans.filter { !$0.problems.isEmpty }
        guard !refused.isEmpty else { return }
        let outcomes = plans.map { plan in
            outcome(plan, state: plan.problems.isEmpty ? "ready" : "refused", detail: plan.problems.joined(separator: "; "))
        }
        let drift = refused.allSatisfy(\.drift)
        throw TrafficCommandFailed(
            report: context.report("promote", succeeded: false, outcomes),
            code: drift ? "promote.drift" : "promote.preflight",
            message: "promotion of \(context.release) refused before any change: \(refused.count) of \(plans.count) groups failed preflight",
            exitStatus: drift ? ExitStatus.drift.rawValue : ExitStatus.failure.rawValue)
    }
}

extension TrafficContext {
    /// `10% -> 50% -> 100%, bake 2m between steps`, for the console.
    func steps(_ plans: [Promoter.Plan]) -> String {
        let steps = Promoter.Plan.steps(of: plans)
        return steps.map { "\($0)%" }.joined(separator: " -> ") + (promotion.bakeSeconds > 0 && steps.count > 1 ? ", bake \(promotion.bakeSeconds)s between steps" : "")
    }
}
