import CutoverAWS
import CutoverCore
import CutoverState
import CutoverStatusPage
import Foundation

/// Moves every unit's traffic to the colour tagged with the release, through the configured steps, all
/// or nothing: preflight every group before touching any, save each route's exact actions (and the
/// release tags of the groups they send traffic to) in the journal, shift all groups a step at a time
/// through one `TrafficChange`, and on any failure — a write, a health read, the journal, a signal —
/// put every group back through the same change, verified.
public struct Promoter: Sendable {
    public var context: TrafficContext
    public var force: Bool
    /// Checks a person overrode (`--force --reason`), each recorded in the journal when promotion starts.
    public var overrides: [String] = []

    public init(context: TrafficContext, force: Bool) {
        self.context = context
        self.force = force
    }

    /// Reads every group (no writes) and says what promotion would do: `--dry-run` prints this.
    public func plan() async throws -> [Plan] {
        let journal = try await context.loadJournal()?.journal
        return try await preflight(journal: journal)
    }

    public func run() async throws -> TrafficReport {
        // The journal is read while the lock is taken: one round trip to the store instead of two. A
        // journal written in between (by the previous holder) fails our first conditional save, before
        // any route is written.
        let context = self.context
        let journal = Task { try await context.openJournal() }
        defer { journal.cancel() }
        return try await context.withLock("promote") { lock in try await promote(holding: lock, document: try await journal.value) }
    }

    private func promote(holding lock: StateLock, document opened: JournalDocument) async throws -> TrafficReport {
        var document = opened
        let plans = try await preflight(journal: document.journal)
        try refuseIfAnyProblem(plans)
        let movers = plans.filter { !$0.alreadyPromoted }

        // Save every route's pre-promotion actions before the first write (kept from an earlier,
        // interrupted run: those are the true "before").
        for plan in movers {
            let unit = plan.traffic.unit
            if document.journal.groups[unit.id] == nil || plan.current == 0 {
                document.journal.groups[unit.id] = ReleaseJournal.GroupRecord(
                    point: plan.traffic.point, saved: plan.traffic.actions, savedAt: context.now(), target: plan.target!,
                    applied: document.journal.groups[unit.id]?.applied ?? [], state: .saved,
                    savedReleases: plan.traffic.releasesTakingTraffic)
            }
        }
        document.journal.log("promote", "started", force ? "--force" : nil, at: context.now())
        for override in overrides { document.journal.log("promote", "override", override, at: context.now()) }
        // The first step is recorded with the saved actions: one write to the store before the first route write.
        let firstStep = Plan.steps(of: movers).first
        for plan in movers where plan.steps.first == firstStep {
            if let firstStep { document.journal.groups[plan.traffic.unit.id]?.applied.append(firstStep) }
            document.journal.groups[plan.traffic.unit.id]?.state = .shifting
        }
        try await context.journal.save(&document)

        let records = document.journal.groups
        let change = TrafficChange(router: context.router,
                                   routes: movers.map { ($0.traffic, records[$0.traffic.unit.id]?.saved) },
                                   beforeWrite: { try lock.ensureHeld() })
        context.signals?.watch { await change.pending() }
        context.progress("promote \(context.release): \(movers.count) of \(plans.count) groups to move (\(context.steps(movers)))")
        do {
            try await stepThrough(movers, change: change, document: &document)
        } catch {
            throw await revert(after: error, plans: plans, change: change, document: &document)
        }

        let live = await change.live
        var outcomes: [GroupOutcome] = []
        for plan in plans {
            let unit = plan.traffic.unit
            if !plan.alreadyPromoted { document.journal.groups[unit.id]?.state = .promoted }
            outcomes.append(outcome(plan, traffic: live[unit.id], state: plan.alreadyPromoted ? "already-promoted" : "promoted"))
        }
        document.journal.log("promote", "done", at: context.now())
        // Released while the last journal write is in flight (one round trip, not two): a holder that
        // takes the lock in between and reads the journal early cannot save over this write (If-Match).
        async let released: Void = context.release(lock)
        var saved: (any Error)?
        do { try await context.journal.save(&document) } catch { saved = error }
        await released
        if let error = saved {
            // Every group is where it should be: undoing a finished promotion would be the surprise.
            throw TrafficCommandFailed(
                report: context.report("promote", succeeded: false, outcomes), code: "promote.journal",
                message: "every group was promoted to \(context.release), but the journal could not record it: \(error)\nhint: the traffic is right; fix the state store (\(context.state.location)) before the next rollback of \(context.release)",
                exitStatus: ExitStatus.failure.rawValue)
        }
        context.progress("promote \(context.release): done")
        return context.report("promote", succeeded: true, outcomes)
    }

    /// Every step for every group that takes part in it: journal first (so a run killed mid-write
    /// leaves weights the next run recognises), then all writes at once, then the bake.
    private func stepThrough(_ movers: [Plan], change: TrafficChange, document: inout JournalDocument) async throws {
        let allSteps = Plan.steps(of: movers)
        for (index, step) in allSteps.enumerated() {
            try Task.checkCancellation()
            let moving = movers.filter { $0.steps.contains(step) }
            guard !moving.isEmpty else { continue }
            if index > 0 {  // the first step went into the journal with the saved actions
                for plan in moving {
                    document.journal.groups[plan.traffic.unit.id]?.applied.append(step)
                    document.journal.groups[plan.traffic.unit.id]?.state = .shifting
                }
                try await context.journal.save(&document)
            }
            context.progress("promote: step \(index + 1) of \(allSteps.count): \(moving.count) group\(moving.count == 1 ? "" : "s") to \(step)%")
            let live = await change.live
            _ = try await context.forEachUnit(moving.map(\.traffic.unit)) { unit in
                let plan = moving.first { $0.traffic.unit.id == unit.id }!
                try await GroupFailure.naming(unit.id) {
                    try await shift(live[unit.id]!, to: plan.target!, percent: step, through: change)
                }
            }
            // Bake between steps (and a health check after the last) while watching the target's health;
            // its first reading prints each group's bar.
            let isLast = index == allSteps.count - 1
            try await bake(moving, change: change, percent: step, seconds: isLast ? 0 : context.promotion.bakeSeconds)
        }
    }

    /// Sets `target` to `percent` on one route; the change proves the read-back.
    private func shift(_ traffic: UnitTraffic, to target: Color, percent: Int, through change: TrafficChange) async throws {
        guard let actions = traffic.actions(setting: target, to: percent) else {
            throw StepError(code: "promote.no-forward", message: "\(traffic.point.description) has no forward action to shift")
        }
        let after = try await change.move(traffic.unit.id, to: actions)
        let applied = after.percents?[target] ?? -1
        guard applied == percent else {
            throw StepError(code: "promote.readback", message: "\(traffic.point.description) reads back \(target.rawValue) at \(applied)% after setting \(percent)%")
        }
    }

    /// Waits `seconds` while checking the target colour's health every few seconds (once when 0),
    /// saying at least every `reportEvery` seconds what it waits for. A health read that fails for
    /// good throws, like an unhealthy target colour: both end in the revert.
    private func bake(_ moving: [Plan], change: TrafficChange, percent: Int, seconds: Int) async throws {
        let context = self.context
        let deadline = context.now().addingTimeInterval(Double(seconds))
        var reported: Date?
        var drawn = false
        repeat {
            let live = await change.live
            let readings = try await context.forEachUnit(moving.map(\.traffic.unit)) { unit -> (String, TrafficContext.Health) in
                let plan = moving.first { $0.traffic.unit.id == unit.id }!
                return (unit.id, try await GroupFailure.naming(unit.id) { try await context.health(live[unit.id]!, color: plan.target!) })
            }
            if !drawn {
                drawBars(moving, live: live, readings: readings)
                drawn = true
            }
            if let (unit, health) = readings.first(where: { $0.1.problem != nil }) {
                throw GroupFailure(unit: unit, error: StepError(code: "promote.unhealthy", message: health.problem!))
            }
            let left = deadline.timeIntervalSince(context.now())
            if left <= 0 { break }
            if reported.map({ context.now().timeIntervalSince($0) >= context.reportEvery }) ?? true {
                let healthy = readings.map { "\($0.0) \($0.1.healthy)/\($0.1.total)" }.joined(separator: ", ")
                context.progress("promote: baking at \(percent)%, \(Int(left.rounded(.up)))s left; healthy: \(healthy)")
                reported = context.now()
            }
            try await context.sleep(.milliseconds(Int(min(left, 5) * 1000)))
        } while true
    }

    /// One line per group with its text bar, the share the ALB reads back and the target's health:
    /// `  web   [#####.....] green 50%  4/4 healthy`, so the Jenkins console shows the page's picture.
    private func drawBars(_ moving: [Plan], live: [String: UnitTraffic], readings: [(String, TrafficContext.Health)]) {
        let width = moving.map(\.traffic.unit.id.count).max() ?? 0
        for plan in moving {
            let id = plan.traffic.unit.id, target = plan.target!
            let health = readings.first { $0.0 == id }?.1
            context.progress("  " + TextBar.line(unit: id, width: width, color: target.rawValue, percent: live[id]?.percents?[target] ?? 0,
                                                 healthy: health?.healthy, total: health?.total))
        }
    }

    /// Puts every group back after `error`, and says exactly what happened: every group back (exit 1,
    /// or 128+N after a signal), or some group left away from its saved state (exit 8, each named with
    /// its live weights). Never the "put back" message unless the read-backs prove it.
    private func revert(after error: any Error, plans: [Plan], change: TrafficChange, document: inout JournalDocument) async -> any Error {
        let signal = context.signals?.received
        let cause = signal.map { "stopped by \(TrafficSignals.name($0))" } ?? "failed at \(error)"
        let stoppedStatus = context.signals?.exitStatus ?? ExitStatus.failure.rawValue
        guard await change.hasMoved else {
            document.journal.log("promote", "stopped", cause, at: context.now())
            _ = try? await context.journal.save(&document)
            return TrafficCommandFailed(report: context.report("promote", succeeded: false, plans.map { outcome($0, state: "unchanged") }),
                                        code: signal == nil ? "promote.failed" : "promote.interrupted",
                                        message: "promotion of \(context.release) \(cause) before any group moved; nothing changed",
                                        exitStatus: stoppedStatus)
        }
        context.progress("promote \(context.release): \(cause); putting every group it moved back")
        let report = await change.revert()
        var outcomes: [GroupOutcome] = []
        for plan in plans {
            let id = plan.traffic.unit.id
            guard let route = report.routes.first(where: { $0.unit == id }) else {
                outcomes.append(outcome(plan, traffic: await change.live[id], state: plan.alreadyPromoted ? "already-promoted" : "unchanged"))
                continue
            }
            document.journal.groups[id]?.state = route.restored ? .reverted : .failed
            // The group that failed says why; one that could not be put back says that first.
            let cause = (error as? GroupFailure).flatMap { $0.unit == id ? "\($0.error)" : nil }
            let detail = route.restored ? cause : "could not be put back: \(route.error ?? "unknown")" + (cause.map { "; it failed with: \($0)" } ?? "")
            outcomes.append(outcome(plan, traffic: route.traffic, state: route.restored ? "reverted" : "failed", detail: detail))
            context.progress("  \(id): \(route.restored ? "put back" : "NOT put back"): \(route.traffic?.weights ?? "weights unknown")")
        }
        document.journal.log("promote", report.succeeded ? "reverted" : "revert-failed", cause, at: context.now())
        var journalNote = ""
        do { try await context.journal.save(&document) } catch { journalNote = "\n(the journal could not record this: \(error))" }
        let result = context.report("promote", succeeded: false, outcomes)
        guard report.succeeded else {
            return TrafficCommandFailed(
                report: result, code: "promote.split",
                message: "TRAFFIC IS SPLIT — act now. Promotion of \(context.release) \(cause), and \(report.failed.count) group\(report.failed.count == 1 ? "" : "s") could not be put back:\n  " + report.failureLines.joined(separator: "\n  ") + "\nhint: run `cutover rollback --release \(context.release)` (it restores the saved actions), or set these weights by hand" + journalNote,
                exitStatus: ExitStatus.split.rawValue)
        }
        return TrafficCommandFailed(
            report: result, code: signal == nil ? "promote.reverted" : "promote.interrupted",
            message: "promotion of \(context.release) \(cause)\nevery group it moved was put back to its saved state (verified by read-back)" + journalNote,
            exitStatus: stoppedStatus)
    }

    func outcome(_ plan: Plan, traffic: UnitTraffic? = nil, state: String, detail: String? = nil) -> GroupOutcome {
        let percents = (traffic ?? plan.traffic).percents
        return GroupOutcome(unit: plan.traffic.unit.id, route: plan.traffic.point.description, state: state,
                            blue: percents?[.blue], green: percents?[.green], detail: detail?.isEmpty == true ? nil : detail)
    }
}

/// One group's failure inside a parallel step, naming the group.
struct GroupFailure: Error, CustomStringConvertible {
    var unit: String
    var error: any Error

    var description: String { "\(unit): \(error)" }

    static func naming<T>(_ unit: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as GroupFailure { throw error } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw GroupFailure(unit: unit, error: error)
        }
    }
}

extension UnitTraffic {
    /// The release tag of every target group that takes traffic in the current actions ("" when
    /// untagged): saved with the actions, so a later restore can prove they still run what they ran.
    var releasesTakingTraffic: [String: String] {
        var result: [String: String] = [:]
        for action in actions {
            for group in action.forwardGroups where group.weight > 0 {
                result[group.arn] = groups.values.first { $0.arn == group.arn }?.release ?? ""
            }
        }
        return result
    }
}
