import CutoverAWS
import CutoverCore
import CutoverHTTP
import CutoverSigV4
import CutoverSteps
import CutoverTesting
import Foundation
import Testing

/// One contract, two routers: the in-memory fake the step tests use and the ALB adapter on moto must
/// behave alike, or the step tests prove nothing about production.
@Suite struct TrafficRouterConformanceTests {
    enum Backend: String, CaseIterable, Sendable { case fake, alb }

    /// A listener whose default forwards blue 100 / green 0 with stickiness on, and a second listener
    /// with a rule at priority 10 for /feeds/football/* (plus a fixed-response default).
    struct World {
        var router: any TrafficRouter
        var web: String
        var feeds: String
        var blue: String
        var green: String
        var keep: Any?
    }

    func world(_ backend: Backend) async throws -> World {
        switch backend {
        case .alb:
            let testbed = try AWSTestbed()
            let seeded = try testbed.seed([
                "target_groups": ["c-green": ["tags": ["cutover:release": "r1"]]],
                "albs": [
                    ["name": "web", "listener": ["port": 80, "default": ["blue": "c-blue", "green": "c-green", "green_weight": 0, "stickiness": ["enabled": true, "duration": 300]]]],
                    ["name": "feeds", "listener": ["port": 80, "default": ["fixed_response": ["status": "404", "body": "no", "content_type": "text/plain"]],
                                                   "rules": [["priority": 10, "path": "/feeds/football/*", "blue": "c-fb-blue", "style": "target_group_arn"]]]],
                ],
                "instances": [["name": "i", "register": ["c-green"]]],
            ])
            let albs = seeded["albs"] as! [String: [String: Any]]
            let groups = seeded["target_groups"] as! [String: [String: Any]]
            let client = AWSClient(transport: AsyncHTTPTransport(), credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "t", secretAccessKey: "t")),
                                   region: "eu-west-1", endpoint: testbed.proxyURL)
            return World(router: ALBTrafficRouter(elbv2: ELBv2Client(client: client)), web: albs["web"]!["listener_arn"] as! String,
                         feeds: albs["feeds"]!["listener_arn"] as! String, blue: groups["c-blue"]!["arn"] as! String,
                         green: groups["c-green"]!["arn"] as! String, keep: testbed)
        case .fake:
            let router = InMemoryTrafficRouter()
            let web = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/1"
            let feeds = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/feeds/2/2"
            let blue = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/c-blue/1"
            let green = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/c-green/2"
            await router.addGroup(TargetGroupInfo(arn: blue, name: "c-blue", tags: [:]))
            await router.addGroup(TargetGroupInfo(arn: green, name: "c-green", tags: ["cutover:release": "r1"]))
            await router.setHealth([TargetHealth(target: Target(id: "i-1", port: 80), state: "healthy")], of: green)
            await router.setActions([ListenerAction(fields: [.init("Type", "forward"),
                                                             .init("ForwardConfig.TargetGroupStickinessConfig.Enabled", "true"),
                                                             .init("ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "300")])
                .withForwardGroups([.init(arn: blue, weight: 100), .init(arn: green, weight: 0)])], at: RoutePoint(kind: .listener, arn: web))
            let rule = RoutePoint(kind: .rule, arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/feeds/2/2/10")
            await router.addRule(listener: feeds, priority: 10, paths: ["/feeds/football/*"], point: rule)
            await router.setActions([ListenerAction(fields: [.init("Type", "forward"), .init("TargetGroupArn", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/c-fb-blue/3")])], at: rule)
            await router.setActions([ListenerAction(fields: [.init("Type", "fixed-response")])], at: RoutePoint(kind: .listener, arn: feeds))
            return World(router: router, web: web, feeds: feeds, blue: blue, green: green, keep: nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func resolvesListenersAndRules(backend: Backend) async throws {
        let world = try await world(backend)
        #expect(try await world.router.resolve(Route(listenerARN: world.web, rule: nil)) == RoutePoint(kind: .listener, arn: world.web))
        let byPath = try await world.router.resolve(Route(listenerARN: world.feeds, rule: .pathPattern("/feeds/football/*")))
        let byPriority = try await world.router.resolve(Route(listenerARN: world.feeds, rule: .priority(10)))
        #expect(byPath.kind == .rule && byPath == byPriority)
        await #expect(throws: RouteNotFound.self) {
            try await world.router.resolve(Route(listenerARN: world.feeds, rule: .pathPattern("/feeds/golf/*")))
        }
        let ruleActions = try await world.router.actions(at: byPath)
        #expect(ruleActions.map(\.type) == ["forward"])
        #expect(ruleActions[0].forwardGroups.map(\.weight) == [1], "a plain TargetGroupArn forward is one group at weight 1")
    }

    @Test(arguments: Backend.allCases)
    func replacingActionsKeepsWhatWasNotChanged(backend: Backend) async throws {
        let world = try await world(backend)
        let point = RoutePoint(kind: .listener, arn: world.web)
        let before = try await world.router.actions(at: point)
        #expect(before[0].forwardGroups == [.init(arn: world.blue, weight: 100), .init(arn: world.green, weight: 0)])
        let moved = [before[0].withForwardGroups([.init(arn: world.blue, weight: 40), .init(arn: world.green, weight: 60)])]
        try await world.router.replaceActions(at: point, with: moved)
        let after = try await world.router.actions(at: point)
        #expect(after[0].forwardGroups == [.init(arn: world.blue, weight: 40), .init(arn: world.green, weight: 60)])
        #expect(after[0].value("ForwardConfig.TargetGroupStickinessConfig.Enabled") == "true")
        #expect(after[0].value("ForwardConfig.TargetGroupStickinessConfig.DurationSeconds") == "300")
        try await world.router.replaceActions(at: point, with: before)
        #expect(try await world.router.actions(at: point)[0].forwardGroups == before[0].forwardGroups)
    }

    @Test(arguments: Backend.allCases)
    func targetGroupsByNameWithTagsAndHealth(backend: Backend) async throws {
        let world = try await world(backend)
        let groups = try await world.router.targetGroups(named: ["c-blue", "c-green", "c-missing"])
        #expect(groups.keys.sorted() == ["c-blue", "c-green"])
        #expect(groups["c-green"]?.release == "r1")
        #expect(groups["c-green"]?.arn == world.green)
        let health = try await world.router.health(ofTargetGroup: world.green)
        #expect(health.count == 1 && health[0].isHealthy)
        #expect(try await world.router.health(ofTargetGroup: world.blue).isEmpty)
    }
}
