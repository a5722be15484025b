import CutoverAWS
import CutoverCore
import CutoverState
import CutoverSteps
import CutoverTesting
import Foundation
import Testing

/// The traffic invariants on the in-memory router: traffic moves only to the release's tagged colour
/// or back to exactly the saved actions; every failure path reverts, verified; a failed revert is exit
/// 8 naming the split groups. Each test would fail if its invariant broke.
@Suite struct TrafficSafetyStepTests {
    let steps = PromoterStepTests()
    let a = RoutePoint(kind: .listener, arn: "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/a/1/1")
    let b = RoutePoint(kind: .listener, arn: "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/b/2/2")

    func promote(_ context: TrafficContext) async throws -> TrafficCommandFailed {
        try await #require(throws: TrafficCommandFailed.self) { try await Promoter(context: context, force: false).run() }
    }

    func rollback(_ context: TrafficContext) async throws -> TrafficCommandFailed {
        try await #require(throws: TrafficCommandFailed.self) { try await RollbackRunner(context: context, reason: nil).run() }
    }

    // MARK: rollback refuses what it cannot restore safely

    @Test func rollbackOfAReleaseOnNoGroupWithNoSavedStateMovesNothing() async throws {
        var (context, router, _) = try await steps.setUp()
        // Green (r9) is live: a mistyped RELEASE must not send traffic to blue.
        for point in [a, b] { await router.setActions([split(point, blue: 0, green: 100)], at: point) }
        context.release = "r9-typo"
        let failure = try await rollback(context)
        #expect(failure.code == "rollback.refused" && failure.exitStatus == 1)
        #expect(failure.report.groups.allSatisfy { $0.state == "refused" && $0.detail!.contains("runs on neither") })
        #expect(await router.replaces.isEmpty)
    }

    @Test func rollbackWithoutSavedStateOfALiveReleaseNamesTheOtherRelease() async throws {
        let (context, router, _) = try await steps.setUp()
        await router.addGroup(TargetGroupInfo(arn: "arn:tg/one-blue", name: "one-blue", tags: ["cutover:release": "r8"]))
        await router.setActions([split(a, blue: 60, green: 40)], at: a)
        let failure = try await rollback(context)
        let one = try #require(failure.report.groups.first { $0.unit == "one" })
        #expect(one.state == "refused")
        #expect(one.detail!.contains("cutover promote --release r8"))
        #expect(failure.report.groups.first { $0.unit == "two" }?.state == "ready", "two takes no traffic for r9")
        #expect(await router.replaces.isEmpty)
    }

    @Test func rollbackRefusesWhenASavedGroupNowRunsAnotherRelease() async throws {
        let (context, router, _) = try await steps.setUp()
        await router.addGroup(TargetGroupInfo(arn: "arn:tg/one-blue", name: "one-blue", tags: ["cutover:release": "r8"]))
        await router.addGroup(TargetGroupInfo(arn: "arn:tg/two-blue", name: "two-blue", tags: ["cutover:release": "r8"]))
        _ = try await Promoter(context: context, force: false).run()
        // The next release is deployed onto blue (idle after the promotion): restoring r9's saved
        // actions would now send everything to r10, which nobody approved.
        await router.addGroup(TargetGroupInfo(arn: "arn:tg/one-blue", name: "one-blue", tags: ["cutover:release": "r10"]))
        let writes = await router.replaces.count
        let failure = try await rollback(context)
        #expect(failure.code == "rollback.refused")
        let one = try #require(failure.report.groups.first { $0.unit == "one" })
        #expect(one.state == "refused")
        #expect(one.detail!.contains("one-blue: cutover:release was r8 when saved, now r10"))
        #expect(await router.replaces.count == writes, "nothing moved, not even the group that could have been restored")
        #expect(await greenShares(router) == [100, 100])
    }

    @Test func rollbackRestoresActionsNotOnlyPercentages() async throws {
        let (context, router, _) = try await steps.setUp()
        let sticky = split(a, blue: 100, green: 0, sticky: true)
        await router.setActions([sticky], at: a)
        await router.addGroup(TargetGroupInfo(arn: "arn:tg/one-blue", name: "one-blue", tags: ["cutover:release": "r8"]))
        await router.addGroup(TargetGroupInfo(arn: "arn:tg/two-blue", name: "two-blue", tags: ["cutover:release": "r8"]))
        _ = try await Promoter(context: context, force: false).run()
        // Someone turns stickiness off while green is live; back at 100/0 the weights alone would look restored.
        await router.setActions([split(a, blue: 100, green: 0)], at: a)
        let report = try await RollbackRunner(context: context, reason: nil).run()
        #expect(report.groups.first { $0.unit == "one" }?.state == "rolled-back")
        #expect(await router.actions[a]! == [sticky])
    }

    // MARK: every failure path reverts, verified

    @Test func aHealthReadThatFailsForGoodRevertsEveryGroup() async throws {
        let (context, router, _) = try await steps.setUp()
        // Preflight reads two's health once; the bake's read fails, as DescribeTargetHealth does after its retries.
        await router.failHealth(of: "arn:tg/two-green", afterSucceeding: 1)
        let failure = try await promote(context)
        #expect(failure.code == "promote.reverted" && failure.exitStatus == 1)
        #expect(failure.message.contains("two: scripted failure describing the health"))
        #expect(failure.message.contains("every group it moved was put back"))
        #expect(await greenShares(router) == [0, 0])
        #expect(failure.report.groups.map(\.state) == ["reverted", "reverted"])
    }

    @Test func aJournalThatCannotBeWrittenBetweenStepsRevertsEveryGroup() async throws {
        let store = FailingStateStore(inner: LocalStateStore(directory: try Paths.temporaryDirectory("journal")), failWrite: 2)
        let (context, router, _) = try await steps.setUp(state: store)
        // Journal write 1 saves the actions with the 25% step; 2, the 100% step, fails: both groups are at 25%.
        let failure = try await promote(context)
        #expect(failure.code == "promote.reverted" && failure.exitStatus == 1)
        #expect(failure.message.contains("scripted failure"))
        #expect(failure.message.contains("the journal could not record this"))
        #expect(await greenShares(router) == [0, 0])
        #expect(await router.replaces.count == 4, "each group moved to 25% once and put back once")
    }

    @Test func aRevertThatFailsExitsEightNamingTheSplitGroup() async throws {
        let (context, router, _) = try await steps.setUp()
        await router.failReplaces(at: a, afterSucceeding: 1)  // 25% goes through; every later write to `a` fails
        // two's green is healthy for the preflight, unhealthy at the first bake: the promotion must revert.
        await router.scriptHealth(of: "arn:tg/two-green", [
            [TargetHealth(target: Target(id: "i-1"), state: "healthy")],
            [TargetHealth(target: Target(id: "i-1"), state: "unhealthy", reason: "Target.FailedHealthChecks")],
        ])
        let failure = try await promote(context)
        #expect(failure.exitStatus == ExitStatus.split.rawValue && failure.code == "promote.split")
        #expect(failure.message.contains("TRAFFIC IS SPLIT"))
        #expect(failure.message.contains("one: blue 75% / green 25%"))
        #expect(!failure.message.contains("was put back"))
        #expect(failure.report.groups.map(\.state) == ["failed", "reverted"])
        #expect(await greenShares(router) == [25, 0])
    }

    @Test func aSignalDuringTheBakeRevertsAndExitsWithItsNumber() async throws {
        let (base, router, clock) = try await steps.setUp()
        var context = base
        let signals = TrafficSignals(mode: .revert, command: "promote", log: { _ in })
        context.signals = signals
        context.sleep = { duration in
            signals.received(SIGTERM)  // Jenkins aborts the build during the first bake
            clock.advance(duration)
            try Task.checkCancellation()
        }
        let promoter = Promoter(context: context, force: false)
        let failure = try await #require(throws: TrafficCommandFailed.self) { try await signals.run { try await promoter.run() } }
        #expect(failure.exitStatus == 128 + SIGTERM && failure.code == "promote.interrupted")
        #expect(failure.message.contains("stopped by SIGTERM"))
        #expect(await greenShares(router) == [0, 0])
        // Moved to 25%, then put back: two writes per group.
        #expect(await router.replaces.count == 4)
    }

    @Test func rollbackFinishesItsRestoresAfterASignal() async throws {
        var (context, router, _) = try await steps.setUp()
        await router.addGroup(TargetGroupInfo(arn: "arn:tg/one-blue", name: "one-blue", tags: ["cutover:release": "r8"]))
        await router.addGroup(TargetGroupInfo(arn: "arn:tg/two-blue", name: "two-blue", tags: ["cutover:release": "r8"]))
        _ = try await Promoter(context: context, force: false).run()
        let signals = TrafficSignals(mode: .finish, command: "rollback", log: { _ in })
        context.signals = signals
        signals.received(SIGINT)
        let runner = RollbackRunner(context: context, reason: nil)
        let failure = try await #require(throws: TrafficCommandFailed.self) { try await signals.run { try await runner.run() } }
        #expect(failure.exitStatus == 128 + SIGINT)
        #expect(failure.report.groups.map(\.state) == ["rolled-back", "rolled-back"])
        #expect(await greenShares(router) == [0, 0])
    }

    // MARK: what promote refuses, and the lock

    @Test func aThirdGroupInTheSplitIsRefusedClearly() async throws {
        let (context, router, _) = try await steps.setUp()
        await router.setActions([ListenerAction(fields: [.init("Type", "forward")]).withForwardGroups([
            .init(arn: "arn:tg/one-blue", weight: 90), .init(arn: "arn:tg/one-green", weight: 0), .init(arn: "arn:tg/canary", weight: 10),
        ])], at: a)
        let failure = try await promote(context)
        #expect(failure.code == "promote.preflight")
        #expect(failure.report.groups.first { $0.unit == "one" }?.detail?.contains("also forwards to arn:tg/canary (weight 10)") == true)
        #expect(await router.replaces.isEmpty)
    }

    @Test func anotherHolderOfTheLockRefusesWithExitSevenNamingIt() async throws {
        let (context, router, _) = try await steps.setUp()
        let held = try await StateLock.acquire(store: context.state, key: EnvironmentLock.key(system: "shop", environment: "prod"),
                                               command: "rollback", release: "r8", now: context.now)
        let error = try await #require(throws: LockHeld.self) { try await Promoter(context: context, force: false).run() }
        #expect(error.exitStatus == .locked)
        #expect(error.description.contains("rollback") && error.description.contains("r8"))
        #expect(await router.replaces.isEmpty)
        try await held.release()
        _ = try await Promoter(context: context, force: false).run()
    }

    @Test func newReleasesAreRefusedWhileTheRouteIsSplit() async throws {
        let (context, router, _) = try await steps.setUp()
        await router.setActions([split(a, blue: 90, green: 10)], at: a)
        let traffic = try await UnitTraffic.read(context.units[0], router: router)
        let error = try #require(throws: StepError.self) { try traffic.colorForNewRelease("r10") }
        #expect(error.code == "release.split")
        #expect(error.message.contains("blue 90% / green 10%"))
    }

    // MARK: helpers

    func split(_ point: RoutePoint, blue: Int, green: Int, sticky: Bool = false) -> ListenerAction {
        let unit = point == a ? "one" : "two"
        var fields: [ListenerAction.Field] = [.init("Type", "forward")]
        if sticky {
            fields += [.init("ForwardConfig.TargetGroupStickinessConfig.Enabled", "true"),
                       .init("ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "600")]
        }
        return ListenerAction(fields: fields).withForwardGroups([.init(arn: "arn:tg/\(unit)-blue", weight: blue), .init(arn: "arn:tg/\(unit)-green", weight: green)])
    }

    func greenShares(_ router: InMemoryTrafficRouter) async -> [Int] {
        [await greenShare(router, a), await greenShare(router, b)]
    }

    func greenShare(_ router: InMemoryTrafficRouter, _ point: RoutePoint) async -> Int {
        await router.actions[point]![0].forwardGroups.first { $0.arn.hasSuffix("-green") }?.weight ?? -1
    }
}

/// A counter the wrappers share.
final class ScriptedFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int { lock.withLock { count += 1; return count } }
}

/// A state store whose Nth write fails: the journal cannot be written between two steps.
struct FailingStateStore: StateStore {
    let inner: any StateStore
    let failWrite: Int
    let writes = ScriptedFailures()
    var location: String { inner.location }
    func read(_ key: String) async throws -> StoredObject? { try await inner.read(key) }
    func write(_ key: String, _ data: Data, condition: WriteCondition) async throws -> String {
        if !key.hasSuffix("lock.json"), writes.next() >= failWrite {
            throw StateStoreError(location: location, operation: "write \(key)", underlying: "scripted failure", hint: "")
        }
        return try await inner.write(key, data, condition: condition)
    }
    func delete(_ key: String, ifVersion version: String?) async throws { try await inner.delete(key, ifVersion: version) }
    func list(prefix: String) async throws -> [String] { try await inner.list(prefix: prefix) }
}
