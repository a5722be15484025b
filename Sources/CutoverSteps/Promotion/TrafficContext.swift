import CutoverAWS
import CutoverCore
import Foundation

/// What promote, rollback and status share: the environment's units, the router, the journal, the
/// clock. The clock and sleep are injected so step tests never wait.
public struct TrafficContext: Sendable {
    public var system: String
    public var environment: Environment
    public var release: String
    /// The units this command covers (all, or those chosen with --service/--sport).
    public var units: [DeployUnit]
    public var router: any TrafficRouter
    public var journal: JournalStore
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void
    public var progress: @Sendable (String) -> Void

    public init(system: String, environment: Environment, release: String, units: [DeployUnit], router: any TrafficRouter,
                journal: JournalStore, now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.system = system
        self.environment = environment
        self.release = release
        self.units = units
        self.router = router
        self.journal = journal
        self.now = now
        self.sleep = sleep
        self.progress = progress
    }

    public var promotion: Promotion { environment.promotion }

    func loadJournal() throws -> ReleaseJournal? {
        try journal.load(system: system, environment: environment.name, release: release)
    }

    func newJournal() -> ReleaseJournal {
        ReleaseJournal(system: system, environment: environment.name, release: release)
    }

    func lock(command: String) throws -> TrafficLock {
        try TrafficLock.acquire(directory: journal.directory, system: system, environment: environment.name,
                                holder: "cutover \(command) --release \(release)")
    }

    /// Runs `body` for every unit, in parallel unless the config says `parallel: false`; results in unit order.
    func forEachUnit<T: Sendable>(_ body: @escaping @Sendable (DeployUnit) async throws -> T) async throws -> [T] {
        let results = await forEach(units) { unit -> Result<T, any Error> in
            do { return .success(try await body(unit)) } catch { return .failure(error) }
        }
        return try results.map { try $0.get() }
    }

    func forEach<T: Sendable>(_ units: [DeployUnit], _ body: @escaping @Sendable (DeployUnit) async -> T) async -> [T] {
        await boundedMap(units, limit: promotion.parallel ? max(units.count, 1) : 1, body)
    }

    /// Why `color` may not take traffic now, or nil: no targets at all (0 of 0 is not healthy), or
    /// fewer healthy than the configured share. Names each unhealthy target's state and reason.
    func healthProblem(_ traffic: UnitTraffic, color: Color) async throws -> String? {
        guard let group = traffic.groups[color] else { return "the \(color.rawValue) target group \(traffic.unit.targetGroupName(color)) does not exist" }
        let health = try await router.health(ofTargetGroup: group.arn)
        let healthy = health.filter(\.isHealthy).count
        if health.isEmpty {
            return "\(color.rawValue) target group \(group.name) has no registered targets"
        }
        guard healthy * 100 >= promotion.minHealthyPercent * health.count, healthy > 0 else {
            let reasons = health.filter { !$0.isHealthy }.prefix(5).map(\.summary)
            return "\(color.rawValue) target group \(group.name) has \(healthy) of \(health.count) targets healthy (needs \(promotion.minHealthyPercent)%): \(reasons.joined(separator: ", "))"
        }
        return nil
    }

    /// Writes `actions` back to the route and proves by read-back that the split matches them.
    func restore(_ traffic: UnitTraffic, to actions: [ListenerAction]) async throws -> UnitTraffic {
        var wanted = traffic
        wanted.actions = actions
        let after = try await traffic.writing(actions, through: router)
        guard after.percents == wanted.percents else {
            throw StepError(code: "traffic.readback", message: "\(traffic.point.description) reads back \(Self.describe(after.percents)) after restoring \(Self.describe(wanted.percents))")
        }
        return after
    }

    static func describe(_ percents: [Color: Int]?) -> String {
        guard let percents else { return "no forward split" }
        return "blue \(percents[.blue] ?? 0)% / green \(percents[.green] ?? 0)%"
    }

    func report(_ command: String, succeeded: Bool, _ groups: [GroupOutcome]) -> TrafficReport {
        TrafficReport(command: command, release: release, environment: environment.name, succeeded: succeeded, groups: groups)
    }
}
