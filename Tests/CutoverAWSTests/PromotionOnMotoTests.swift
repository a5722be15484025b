import CutoverTesting
import Foundation
import Testing

/// The traffic commands end to end: the built binary, through the fault proxy, against moto.
@Suite struct PromotionOnMotoTests {
    let release = Scenario.release

    func greenShares(_ scenario: Scenario) throws -> [String: Int] {
        var shares: [String: Int] = [:]
        for split in try scenario.splits().values {
            for (name, weight) in split where name.hasSuffix("-green") { shares[name] = weight }
        }
        return shares
    }

    @Test func provisionPromoteRollbackCleanup() throws {
        let scenario = try Scenario(provisioned: false)
        let provision = try scenario.cutover("provision", "--service", "event-management", "--image", "repo/events:2.0", "--release", release)
        #expect(provision.status == 0, "\(provision.stderr)")
        #expect(provision.stdout.contains("sent: ECS CreateService event-management-green"))
        let again = try scenario.cutover("provision", "--service", "event-management", "--image", "repo/events:2.0", "--release", release)
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to change"), "a rerun converges: \(again.stdout)")
        #expect(try greenShares(scenario) == ["stg-frontend-green": 0, "stg-events-green": 0, "stg-fn-football-green": 0, "stg-fn-tennis-green": 0])

        let promote = try scenario.cutover("promote", "--release", release)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 100 })
        // Everything promote did not move came back as it was: stickiness, other rules.
        let dump = try scenario.testbed.dump()
        let text = String(decoding: try JSONSerialization.data(withJSONObject: dump), as: UTF8.self)
        #expect(text.contains("\"DurationSeconds\":600"))
        #expect(text.contains("\"MessageBody\":\"later\""))
        #expect(try scenario.cutover("status", "--expect", "green", "--release", release).status == 0)

        let rollback = try scenario.cutover("rollback", "--release", release, "--reason", "test")
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 0 })
        #expect(try scenario.cutover("status", "--expect", "blue", "--release", release).status == 0)
        #expect(try scenario.cutover("status", "--expect", "green", "--release", release).status == 6)

        let refused = try scenario.cutover("cleanup", "--release", release)
        #expect(refused.status == 6, "cleanup refuses while blue is live: \(refused.stderr)")
        #expect(refused.stderr.contains("error[cleanup.refused]"), "\(refused.stderr)")
        #expect(try scenario.cutover("promote", "--release", release).status == 0)
        let cleanup = try scenario.cutover("cleanup", "--release", release)
        #expect(cleanup.status == 0, "\(cleanup.stdout)\(cleanup.stderr)")
        let after = try scenario.testbed.dump()
        let groups = (after["target_groups"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(!groups.contains("stg-events-blue"))
        #expect(groups.contains("stg-events-green"))
        #expect(try scenario.cutover("status").status == 0)
    }

    @Test func retriesThrottlingErrorsAndDroppedConnections() throws {
        let scenario = try Scenario(provisioned: false)
        let rules: [(action: String, fault: [String: Any], count: Int)] = [
            ("ModifyListener", ["type": "throttle"], 3),
            ("DescribeRules", ["type": "status", "status": 500], 2),
            ("ModifyRule", ["type": "drop"], 2),
            ("DescribeTargetHealth", ["type": "status", "status": 503], 2),
            ("DescribeListeners", ["type": "delay", "ms": 150], 4),
        ]
        try scenario.testbed.faults(rules.map { ["match": ["action": $0.action], "fault": $0.fault, "count": $0.count] })
        let promote = try scenario.cutover("promote", "--release", release, "--service", "frontend")
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        let promoteRules = try scenario.cutover("promote", "--release", release, "--service", "feed-normalizer")
        #expect(promoteRules.status == 0, "\(promoteRules.stdout)\(promoteRules.stderr)")
        // Every scripted fault was met, each rule its whole count (13 in all): a fault never reached means
        // the retry it should prove was never exercised.
        var met: [String: Int] = [:]
        for entry in try scenario.testbed.log() {
            if let fault = entry["fault"] as? String { met["\(entry["action"] as? String ?? "?") \(fault)", default: 0] += 1 }
        }
        let scripted = Dictionary(uniqueKeysWithValues: rules.map { ("\($0.action) \($0.fault["type"]!)", $0.count) })
        #expect(met == scripted, "every scripted fault was met: \(met) of \(scripted)")
        let shares = try greenShares(scenario)
        #expect(shares["stg-frontend-green"] == 100 && shares["stg-fn-football-green"] == 100 && shares["stg-fn-tennis-green"] == 100)
    }

    @Test func oneFailingRouteRevertsEveryGroup() throws {
        let scenario = try Scenario()
        let tennis = (scenario.seeded["rules"] as! [String: [String: Any]]).first { "\($0.value["path"] ?? "")".contains("tennis") }!.key
        try scenario.testbed.faults([
            ["match": ["action": "ModifyRule", "body_contains": tennis],
             "fault": ["type": "fail", "status": 400, "code": "ValidationError", "message": "scripted: this rule cannot be changed"]],
        ])
        let promote = try scenario.cutover("promote", "--release", release)
        #expect(promote.status == 1)
        #expect(promote.stderr.contains("failed at feed-normalizer/tennis"), "\(promote.stderr)")
        #expect(promote.stdout.contains("frontend: reverted"), "\(promote.stdout)")
        #expect(promote.stdout.contains("ValidationError"))
        #expect(try scenario.noneSplit())
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 0 })
        // The others really moved before being put back: the revert was not vacuous.
        let modifies = try scenario.testbed.log().filter { ($0["action"] as? String) == "ModifyListener" }
        #expect(modifies.count >= 2)
    }

    @Test(arguments: ["rollback", "promote"])
    func killedPromotionIsMadeConsistentByTheNextCommand(next: String) throws {
        let scenario = try Scenario()
        let web = (scenario.seeded["albs"] as! [String: [String: Any]])["web"]!["listener_arn"] as! String
        // The web listener's second step hangs, so the kill lands with groups part-way.
        try scenario.testbed.faults([["match": ["action": "ModifyListener", "body_contains": web], "fault": ["type": "delay", "ms": 20_000], "skip": 1]])
        let process = try scenario.start("promote", "--release", release)
        let deadline = Date().addingTimeInterval(20)
        while try scenario.testbed.log().filter({ ["ModifyListener", "ModifyRule"].contains($0["action"] as? String ?? "") }).count < 5 {
            #expect(Date() < deadline, "promotion never reached its second step")
            if Date() >= deadline { break }
            usleep(50_000)
        }
        usleep(300_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try !scenario.noneSplit(), "the kill left groups part-way (the test must start from a split)")
        try scenario.testbed.faults([])

        let result = try scenario.cutover(next, "--release", release)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try scenario.noneSplit())
        #expect(try greenShares(scenario).values.allSatisfy { $0 == (next == "promote" ? 100 : 0) })
    }

    @Test func promoteAndRollbackNeverRunAtOnce() throws {
        let scenario = try Scenario(provisioned: false)
        try scenario.testbed.faults([["match": ["action": "DescribeTargetHealth"], "fault": ["type": "delay", "ms": 3_000], "count": 1]])
        let process = try scenario.start("promote", "--release", release)
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        // Bounded: a promote that never reaches AWS fails the test instead of hanging the suite.
        let deadline = Date().addingTimeInterval(30)
        while try scenario.testbed.log().isEmpty {
            try #require(Date() < deadline, "promote made no AWS request within 30 s")
            usleep(20_000)
        }
        let rollback = try scenario.cutover("rollback", "--release", release)
        #expect(rollback.status == 7)
        #expect(rollback.stderr.contains("locked by cutover promote --release r2"), "\(rollback.stderr)")
    }

    @Test func driftIsRefusedUnlessForced() throws {
        let scenario = try Scenario(steps: [100])
        // Someone moves the frontend to 30% green by hand.
        let promoteHalf = try scenario.cutover("promote", "--release", release, "--service", "frontend")
        #expect(promoteHalf.status == 0)
        let rollback = try scenario.cutover("rollback", "--release", release, "--service", "frontend")
        #expect(rollback.status == 0)
        let web = (scenario.seeded["albs"] as! [String: [String: Any]])["web"]!["listener_arn"] as! String
        let groups = scenario.seeded["target_groups"] as! [String: [String: Any]]
        let actions = """
        [{"Type":"forward","ForwardConfig":{"TargetGroups":[{"TargetGroupArn":"\(groups["stg-frontend-blue"]!["arn"]!)","Weight":70},{"TargetGroupArn":"\(groups["stg-frontend-green"]!["arn"]!)","Weight":30}]}}]
        """
        let aws = try Subprocess.run(Subprocess.which("aws") ?? "/usr/local/bin/aws",
                                     ["elbv2", "modify-listener", "--listener-arn", web, "--default-actions", actions,
                                      "--endpoint-url", scenario.testbed.motoURL.absoluteString, "--region", "eu-west-1"],
                                     environment: ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"])
        #expect(aws.status == 0, "\(aws.stderr)")
        let before = try scenario.splits()
        let refused = try scenario.cutover("promote", "--release", release)
        #expect(refused.status == 3)
        #expect(refused.stdout.contains("live weights are blue 70% / green 30%"), "\(refused.stdout)")
        #expect(try scenario.splits() == before, "a refused promotion changes nothing")
        let forced = try scenario.cutover("promote", "--release", release, "--force")
        #expect(forced.status == 0, "\(forced.stdout)\(forced.stderr)")
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 100 })
    }

    @Test func unhealthyGreenIsRefusedWithItsReason() throws {
        let scenario = try Scenario(stoppedGreen: true, provisioned: false)
        let promote = try scenario.cutover("promote", "--release", release, "--service", "frontend")
        #expect(promote.status == 1)
        #expect(promote.stdout.contains("0 of 1 targets healthy"), "\(promote.stdout)")
        #expect(promote.stdout.contains("Target.InvalidState"))
        #expect(try greenShares(scenario)["stg-frontend-green"] == 0)
    }

    @Test func provisionTimesOutWithTargetHealthWhenNoTaskRegisters() throws {
        let scenario = try Scenario(ecsAgent: false, provisioned: false)
        let provision = try scenario.cutover("provision", "--service", "event-management", "--image", "repo/events:2.0",
                                             "--release", release, "--timeout", "2")
        #expect(provision.status == 1)
        #expect(provision.stderr.contains("was not ready after 2s"), "\(provision.stderr)")
        #expect(provision.stderr.contains("0 of 0 targets healthy"), "0 of 0 is not ready")
    }

    @Test func dryRunsSendNoWrites() throws {
        let scenario = try Scenario(provisioned: false)
        let provision = try scenario.cutover("provision", "--service", "event-management", "--image", "repo/events:2.0", "--release", release, "--dry-run")
        #expect(provision.status == 0)
        #expect(provision.stdout.contains("would send: ECS CreateService"))
        let promote = try scenario.cutover("promote", "--release", release, "--dry-run")
        #expect(promote.status == 1, "event-management has no release yet: \(promote.stdout)")
        #expect(try scenario.cutover("promote", "--service", "frontend", "--release", release, "--dry-run").status == 0)
        let writes = try scenario.testbed.log().filter {
            let action = $0["action"] as? String ?? ""
            return !action.hasPrefix("Describe")
        }
        #expect(writes.isEmpty, "dry runs only read: \(writes.map { $0["action"] ?? "" })")
    }
}
