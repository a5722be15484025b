import CutoverAWS
import CutoverCore
import CutoverState
import CutoverSteps
import CutoverTesting
import Foundation
import Testing

/// Promotion logic on the in-memory router: no load balancer, no sleeping.
@Suite struct PromoterStepTests {
    static let yaml = """
    version: 1
    name: shop
    jenkins: {url: https://j.example.com, folder: r, agent: linux, approvers: [rm], source: {url: https://g.example.com/r.git, branch: main}, config: c.yml}
    aws: {region: eu-west-1}
    promotion: {parallel: true, steps: [25, 100], bake: 30s, min_healthy_percent: 100, health_timeout: 1m}
    environments:
      prod:
        listeners: {a: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/a/1/1', b: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/b/2/2'}
    services:
      one: {kind: instances, listener: a, target_groups: {blue: one-blue, green: one-green}}
      two: {kind: instances, listener: b, target_groups: {blue: two-blue, green: two-green}}
    """

    func setUp(failing: String? = nil, state: (any StateStore)? = nil) async throws -> (TrafficContext, InMemoryTrafficRouter, TestClock) {
        let config = try ConfigLoader.parse(Self.yaml, file: "c.yml")
        let environment = config.environments[0]
        let router = InMemoryTrafficRouter()
        for unit in environment.units {
            let point = RoutePoint(kind: .listener, arn: unit.route.listenerARN)
            let blue = "arn:tg/\(unit.service)-blue", green = "arn:tg/\(unit.service)-green"
            await router.addGroup(TargetGroupInfo(arn: blue, name: "\(unit.service)-blue", tags: [:]))
            await router.addGroup(TargetGroupInfo(arn: green, name: "\(unit.service)-green", tags: ["cutover:release": "r9"]))
            await router.setHealth([TargetHealth(target: Target(id: "i-1"), state: "healthy")], of: green)
            await router.setActions([
                ListenerAction(fields: [.init("Type", "forward")]).withForwardGroups([.init(arn: blue, weight: 100), .init(arn: green, weight: 0)]),
            ], at: point)
            if unit.service == failing { await router.failReplaces(at: point, times: Int.max) }
        }
        let directory = try Paths.temporaryDirectory("promoter")
        let clock = TestClock()
        let context = TrafficContext(system: config.name, environment: environment, release: "r9", units: environment.units,
                                     router: router, state: state ?? LocalStateStore(directory: directory),
                                     now: { clock.now }, sleep: { clock.advance($0) })
        return (context, router, clock)
    }

    func greenWeights(_ router: InMemoryTrafficRouter) async -> [Int] {
        await router.actions.keys.sorted { $0.arn < $1.arn }.asyncMap { point in
            await router.actions[point]![0].forwardGroups.first { $0.arn.hasSuffix("-green") }?.weight ?? -1
        }
    }

    @Test func promotesEveryGroupThroughTheSteps() async throws {
        let (context, router, clock) = try await setUp()
        let report = try await Promoter(context: context, force: false).run()
        #expect(report.succeeded)
        #expect(await greenWeights(router) == [100, 100])
        // Two groups x two steps, each step written once per group.
        #expect(await router.replaces.count == 4)
        let journal = try #require(try await context.journal.load(system: "shop", environment: "prod", release: "r9")).journal
        #expect(journal.groups["one"]?.applied == [25, 100])
        #expect(journal.groups["one"]?.saved[0].forwardGroups.map(\.weight) == [100, 0])
        #expect(clock.elapsed >= 30, "baked between the steps")
    }

    @Test func aFailingGroupPutsTheOthersBack() async throws {
        let (context, router, _) = try await setUp(failing: "two")
        let failure = try await #require(throws: TrafficCommandFailed.self) { try await Promoter(context: context, force: false).run() }
        #expect(failure.code == "promote.reverted" && failure.exitStatus == 1)
        #expect(failure.message.contains("every group it moved was put back"))
        #expect(await greenWeights(router) == [0, 0])
        // "one" was moved to 25% and then restored: two writes.
        #expect(await router.replaces.map(\.0.arn).filter { $0.contains("/a/") }.count == 2)
    }
}

/// Time that passes only when the code under test sleeps: bake times cost nothing.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private let start = Date(timeIntervalSince1970: 1_800_000_000)
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    var elapsed: TimeInterval { now.timeIntervalSince(start) }
    func advance(_ duration: Duration) {
        lock.withLock { current += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var result: [T] = []
        for element in self { result.append(await transform(element)) }
        return result
    }
}
