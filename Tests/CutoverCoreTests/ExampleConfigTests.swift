import CutoverCore
import CutoverTesting
import Testing

@Suite("The bundled example config")
struct ExampleConfigTests {
    @Test func resolvesEveryEnvironmentAndUnit() throws {
        let config = try Fixtures.example()
        #expect(config.name == "spectate")
        #expect(config.environments.map(\.name) == ["staging", "production"])
        for environment in config.environments {
            #expect(environment.units.map(\.id) == [
                "frontend", "event-management",
                "feed-normalizer/football", "feed-normalizer/tennis", "feed-normalizer/basketball", "feed-normalizer/horse-racing",
            ])
            #expect(environment.region == "eu-west-1")
            #expect(environment.credentials.aws == "aws-spectate-\(environment.name)")
            #expect(environment.database?.cluster == "spectate-\(environment.name)")
            #expect(environment.database?.credential == "spectate-\(environment.name)-database-url")
        }
    }

    @Test func expandsPlaceholdersPerEnvironmentAndSport() throws {
        let production = try #require(try Fixtures.example().environment(named: "production"))
        let horseRacing = try #require(production.units.first { $0.sport == "horse-racing" })
        #expect(horseRacing.blueTargetGroup == "production-fn-horse-racing-blue")
        // 32 characters: exactly the ELBv2 limit.
        #expect(horseRacing.greenTargetGroup == "production-fn-horse-racing-green")
        #expect(horseRacing.route.rule == .pathPattern("/feeds/horse-racing/*"))
        #expect(horseRacing.route.listenerARN.contains("listener/app/spectate-production-feeds/"))
        // cutover's own feed-normalizer playbook, hosts found by tags, per-sport variables expanded.
        #expect(horseRacing.deployment == .ansible(AnsibleDeployment(
            playbook: nil, inventory: nil, template: "feed-normalizer", port: 8090, healthPath: "/health",
            hostTags: [.init(key: "Environment", value: "production")],
            variables: [
                .init(name: "feed_providers", values: ["https://feeds.provider-a.example/horse-racing", "https://feeds.provider-b.example/horse-racing"], isList: true),
                .init(name: "event_management_endpoint", values: ["http://event-management.production.internal:8080/normalized"], isList: false),
            ])))
        let frontend = try #require(production.units.first { $0.service == "frontend" })
        #expect(frontend.smoke == [SmokeCheck(path: "/", status: 200, timeoutSeconds: 5)])
    }

    @Test func ecsServiceKeepsItsSettings() throws {
        let staging = try #require(try Fixtures.example().environment(named: "staging"))
        let events = try #require(staging.units.first { $0.service == "event-management" })
        #expect(events.deployment == .ecs(ECSDeployment(cluster: "spectate-staging", service: "event-management",
                                                         taskFamily: "spectate-staging-event-management",
                                                         containerName: "event-management", containerPort: 8080, desiredCount: nil)))
        #expect(events.greenTargetGroup == nil)
        #expect(events.route.rule == nil)
    }

    @Test func environmentOverridesMergeOverDefaults() throws {
        let config = try Fixtures.example()
        let staging = try #require(config.environment(named: "staging"))
        let production = try #require(config.environment(named: "production"))
        // staging overrides steps and bake, and inherits the rest of the top-level promotion block.
        #expect(staging.promotion == Promotion(parallel: true, steps: [100], bakeSeconds: 30, minHealthyPercent: 100, healthTimeoutSeconds: 600))
        #expect(production.promotion == Promotion(parallel: true, steps: [10, 50, 100], bakeSeconds: 120, minHealthyPercent: 100, healthTimeoutSeconds: 600))
        #expect(staging.approvers == ["release-managers"])
        #expect(production.approvers == ["release-managers", "change-advisory-board"])
        #expect(config.jenkins.folder == ["releases", "spectate"])
        #expect(config.jenkins.keepBuilds == 50)
        #expect(config.jenkins.pipelineSource == .inline)
    }
}
