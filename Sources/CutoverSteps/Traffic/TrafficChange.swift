import CutoverAWS
import CutoverCore

/// The promise every step that writes a route makes, kept in one place.
///
/// A route is written only through `move`, which reads the route back and proves the write took
/// effect. `revert` puts every route `move` touched back to the actions it had before the change
/// began, proved the same way. Whatever ends a step early — an AWS error after its retries, a health
/// read that fails for good, a journal that cannot be written, a cancellation, a signal — the step
/// calls `revert`, so no path leaves a route in a state it did not intend; and when a revert fails,
/// `RevertReport` says which routes are left where, so the caller never claims they were put back.
public actor TrafficChange {
    public let router: any TrafficRouter
    /// Each route with the actions a revert restores (the route as it was before the release first
    /// moved it: for a promote resumed after an interruption, older than what this run read), by unit id.
    public let before: [String: UnitTraffic]
    /// Each route as last read back.
    public private(set) var live: [String: UnitTraffic]
    /// Units written to, in order. A write that threw may still have applied, so it counts.
    private var touched: [String] = []
    /// Units whose revert has not finished, for the report a second signal asks for.
    private var reverting: [String] = []
    /// Called before every write: a lost lock must stop the writer (`StateLock.ensureHeld`).
    private let beforeWrite: @Sendable () throws -> Void

    /// `routes`: each route as read now, and the actions a revert puts back (nil: as read now).
    public init(router: any TrafficRouter, routes: [(traffic: UnitTraffic, restore: [ListenerAction]?)],
                beforeWrite: @escaping @Sendable () throws -> Void = {}) {
        self.router = router
        var before: [String: UnitTraffic] = [:], live: [String: UnitTraffic] = [:]
        for (traffic, restore) in routes {
            var original = traffic
            if let restore { original.actions = restore }
            before[traffic.unit.id] = original
            live[traffic.unit.id] = traffic
        }
        self.before = before
        self.live = live
        self.beforeWrite = beforeWrite
        // A route already away from what a revert restores (a resumed promote) is part of any revert.
        touched = routes.map(\.traffic.unit.id).filter { !live[$0]!.actions.sameEffect(as: before[$0]!.actions) }
    }

    /// Writes `actions` to the unit's route and proves by read-back that they took effect.
    /// Throws the write's error, or `traffic.readback` when AWS holds something else afterwards.
    @discardableResult
    public func move(_ unit: String, to actions: [ListenerAction]) async throws -> UnitTraffic {
        guard let current = live[unit] else { preconditionFailure("\(unit) is not part of this change") }
        try beforeWrite()
        if !touched.contains(unit) { touched.append(unit) }
        let after = try await current.writing(actions, through: router)
        live[unit] = after
        guard after.actions.sameEffect(as: actions) else {
            var wanted = current
            wanted.actions = actions
            throw StepError(code: "traffic.readback",
                            message: "\(current.point.description) reads back \(after.weights) after writing \(wanted.weights)")
        }
        return after
    }

    /// One route, all or nothing: `move`, then `check` the read-back; on any failure the route is put back
    /// before `code` is thrown, saying whether that worked (exit 8 when it did not).
    public func moveOrPutBack(_ unit: String, to actions: [ListenerAction], code: String, doing: String,
                              check: @Sendable (UnitTraffic) throws -> Void = { _ in }) async throws -> UnitTraffic {
        do {
            let after = try await move(unit, to: actions)
            try check(after)
            return after
        } catch {
            let revert = await revert()
            throw StepError(code: code, message: "\(unit): \(doing) failed: \(error)"
                                + (revert.succeeded ? "\nthe route was put back as it was" : "\nTHE ROUTE COULD NOT BE PUT BACK: \(revert.failureLines.joined(separator: "; "))"),
                            exitStatus: revert.succeeded ? .failure : .split)
        }
    }

    /// Puts every touched route back to its actions from before the change, all at once, each proved
    /// by read-back. Runs in a task of its own, so a cancelled step (a signal) still finishes it.
    public func revert() async -> RevertReport {
        let units = touched
        reverting = units
        let routes = before
        let router = router
        let results = await Task {
            await boundedMap(units, limit: max(units.count, 1)) { unit -> RevertReport.Route in
                let original = routes[unit]!
                do {
                    // A write that failed may never have applied: a route already back needs no write.
                    if let now = try? await router.actions(at: original.point), now.sameEffect(as: original.actions) {
                        var traffic = original
                        traffic.actions = now
                        return .init(unit: unit, traffic: traffic, restored: true, error: nil)
                    }
                    let after = try await original.writing(original.actions, through: router)
                    guard after.actions.sameEffect(as: original.actions) else {
                        return .init(unit: unit, traffic: after, restored: false,
                                     error: "reads back \(after.weights) after restoring \(original.weights)")
                    }
                    return .init(unit: unit, traffic: after, restored: true, error: nil)
                } catch {
                    // Say where the route is now, if it can still be read.
                    var now = original
                    let read = try? await router.actions(at: original.point)
                    if let read { now.actions = read }
                    return .init(unit: unit, traffic: read == nil ? nil : now, restored: false, error: "\(error)")
                }
            }
        }.value
        for result in results where result.restored { reverting.removeAll { $0 == result.unit } }
        for result in results { if let traffic = result.traffic { live[result.unit] = traffic } }
        return RevertReport(routes: results)
    }

    /// What a revert still has to do, for the console when a second signal arrives.
    public func pending() -> [String] {
        reverting.map { unit in "\(unit) (\(live[unit]?.weights ?? "unknown"))" }
    }

    /// Whether a revert has anything to do: a route was written, or started away from where it goes back to.
    public var hasMoved: Bool { !touched.isEmpty }
}

/// The outcome of `TrafficChange.revert`, per route.
public struct RevertReport: Sendable {
    public struct Route: Sendable {
        public var unit: String
        /// The route as read after the attempt (nil when it could not be read at all).
        public var traffic: UnitTraffic?
        public var restored: Bool
        public var error: String?
    }

    public var routes: [Route]

    public var succeeded: Bool { routes.allSatisfy(\.restored) }
    public var failed: [Route] { routes.filter { !$0.restored } }

    /// One line per route that could not be put back, with its live weights: what a person must fix now.
    public var failureLines: [String] {
        failed.map { route in
            "\(route.unit): \(route.traffic?.weights ?? "weights unknown (the route cannot be read)") — \(route.error ?? "not restored")"
        }
    }
}

extension UnitTraffic {
    /// `blue 50% / green 50%`, or `no forward split`.
    public var weights: String { TrafficContext.describe(percents) }
}
