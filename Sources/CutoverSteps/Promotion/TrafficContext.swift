import CutoverAWS
import CutoverCore
import CutoverState
import Foundation

/// What promote, rollback and status share: the environment's units, the router, the state store
/// (journal and lock), the clock, the signal handler. The clock and sleep are injected so step tests
/// never wait.
public struct TrafficContext: Sendable {
    public var system: String
    public var environment: Environment
    public var release: String
    /// The units this command covers (all, or those chosen with --service/--sport).
    public var units: [DeployUnit]
    public var router: any TrafficRouter
    /// Where the journal and the lock live (a directory, or S3 shared by every agent).
    public var state: any StateStore
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void
    public var progress: @Sendable (String) -> Void
    /// The command's SIGINT/SIGTERM/SIGHUP handler, when the CLI installed one.
    public var signals: TrafficSignals?
    /// How often a bake or health wait says what it waits for.
    public var reportEvery: TimeInterval = 10

    public init(system: String, environment: Environment, release: String, units: [DeployUnit], router: any TrafficRouter,
                state: any StateStore, now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                progress: @escaping @Sendable (String) -> Void = { _ in }, signals: TrafficSignals? = nil) {
        self.system = system
        self.environment = environment
        self.release = release
        self.units = units
        self.router = router
        self.state = state
        self.now = now
        self.sleep = sleep
        self.progress = progress
        self.signals = signals
    }

    public var journal: JournalStore { JournalStore(store: state) }

    public var promotion: Promotion { environment.promotion }

    func loadJournal() async throws -> JournalDocument? {
        try await journal.load(system: system, environment: environment.name, release: release)
    }

    func openJournal() async throws -> JournalDocument {
        try await journal.open(system: system, environment: environment.name, release: release)
    }

    /// Runs `body` holding the environment's lock (the one every route writer takes).
    func withLock<T: Sendable>(_ command: String, _ body: (StateLock) async throws -> T) async throws -> T {
        try await EnvironmentLock.holding(state, system: system, environment: environment.name, command: command, release: release,
                                          now: now, progress: progress, body)
    }

    /// Runs `body` for every unit (or those given), in parallel unless the config says `parallel: false`;
    /// results in unit order. Every body runs to its end; the first failure is then rethrown.
    func forEachUnit<T: Sendable>(_ units: [DeployUnit]? = nil, _ body: @escaping @Sendable (DeployUnit) async throws -> T) async throws -> [T] {
        let results = await forEach(units ?? self.units) { unit -> Result<T, any Error> in
            do { return .success(try await body(unit)) } catch { return .failure(error) }
        }
        return try results.map { try $0.get() }
    }

    func forEach<T: Sendable>(_ units: [DeployUnit], _ body: @escaping @Sendable (DeployUnit) async -> T) async -> [T] {
        await boundedMap(units, limit: promotion.parallel ? max(units.count, 1) : 1, body)
    }

    /// Releases the lock now (the wrapper's later release is then a no-op); a failure is only reported.
    func release(_ lock: StateLock) async {
        do { try await lock.release() } catch { progress("warning: could not release the lock now: \(error) (retried on exit)") }
    }

    /// A colour's health as a gate reads it: healthy of total, and why it may not take traffic (nil when
    /// it may): no targets at all (0 of 0 is not healthy), or fewer healthy than the configured share.
    struct Health: Sendable {
        var healthy: Int
        var total: Int
        var problem: String?
    }

    func health(_ traffic: UnitTraffic, color: Color) async throws -> Health {
        guard let group = traffic.groups[color] else {
            return Health(healthy: 0, total: 0, problem: "the \(color.rawValue) target group \(traffic.unit.targetGroupName(color)) does not exist")
        }
        let targets = try await router.health(ofTargetGroup: group.arn)
        let healthy = targets.filter(\.isHealthy).count
        if targets.isEmpty {
            return Health(healthy: 0, total: 0, problem: "\(color.rawValue) target group \(group.name) has no registered targets")
        }
        guard healthy * 100 >= promotion.minHealthyPercent * targets.count, healthy > 0 else {
            let reasons = targets.filter { !$0.isHealthy }.prefix(5).map(\.summary)
            return Health(healthy: healthy, total: targets.count,
                          problem: "\(color.rawValue) target group \(group.name) has \(healthy) of \(targets.count) targets healthy (needs \(promotion.minHealthyPercent)%): \(reasons.joined(separator: ", "))")
        }
        return Health(healthy: healthy, total: targets.count, problem: nil)
    }

    static func describe(_ percents: [Color: Int]?) -> String {
        guard let percents else { return "no forward split" }
        return "blue \(percents[.blue] ?? 0)% / green \(percents[.green] ?? 0)%"
    }

    func report(_ command: String, succeeded: Bool, _ groups: [GroupOutcome]) -> TrafficReport {
        TrafficReport(command: command, release: release, environment: environment.name, succeeded: succeeded, groups: groups)
    }
}
