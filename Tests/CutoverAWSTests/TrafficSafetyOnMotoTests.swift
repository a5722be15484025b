@testable import CutoverState
import CutoverTesting
import Foundation
import Testing

/// The traffic invariants end to end: the built binary, real signals, the fault proxy, moto's ELBv2 and
/// S3. Every wait is bounded.
@Suite(.serialized) struct TrafficSafetyOnMotoTests {
    let release = Scenario.release

    func greenShares(_ scenario: Scenario) throws -> [String: Int] {
        var shares: [String: Int] = [:]
        for split in try scenario.splits().values {
            for (name, weight) in split where name.hasSuffix("-green") {
                let total = split.values.reduce(0, +)
                shares[name] = total == 0 ? 0 : weight * 100 / total
            }
        }
        return shares
    }

    func retag(_ scenario: Scenario, _ names: [String], release: String) throws {
        let groups = try scenario.testbed.dump()["target_groups"] as? [[String: Any]] ?? []
        let arns = groups.filter { names.contains($0["name"] as? String ?? "") }.compactMap { $0["arn"] as? String }
        #expect(arns.count == names.count)
        let result = try Subprocess.run(Subprocess.which("aws") ?? "/usr/local/bin/aws",
                                        ["--endpoint-url", scenario.testbed.motoURL.absoluteString, "--region", "eu-west-1", "elbv2", "add-tags",
                                         "--resource-arns"] + arns + ["--tags", "Key=cutover:release,Value=\(release)"],
                                        environment: ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func aSignalDuringPromotionRevertsEveryGroupAndExitsWithItsNumber(signal number: Int32) throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "60s")
        let output = scenario.directory.appendingPathComponent("promote")
        let process = try scenario.start("promote", "--release", release, output: output)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // Every group at 10%, baking: the moment Jenkins aborts a build.
        let split = try scenario.waitFor(30) { try greenShares(scenario).values.allSatisfy { $0 == 10 } && greenShares(scenario).count == 4 }
        try #require(split, "the promotion never reached its first step")
        kill(process.processIdentifier, number)
        let ended = try scenario.waitFor(30) { !process.isRunning }
        try #require(ended, "promote did not end within 30 s of the signal")
        let stderr = try String(contentsOfFile: output.path + ".err", encoding: .utf8)
        #expect(process.terminationStatus == 128 + number, "\(stderr)")
        #expect(stderr.contains("every group it moved was put back"), "\(stderr)")
        #expect(try scenario.noneSplit())
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 0 })
        // The lock went with it: a rollback right after runs, and finds nothing to move.
        let rollback = try scenario.cutover("rollback", "--release", release)
        #expect(rollback.status == 0, "\(rollback.stderr)")
    }

    @Test func aSecondSignalSaysWhatIsLeftAndTheRevertStillFinishes() throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "60s")
        let web = (scenario.seeded["albs"] as! [String: [String: Any]])["web"]!["listener_arn"] as! String
        let output = scenario.directory.appendingPathComponent("promote")
        let process = try scenario.start("promote", "--release", release, output: output)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try #require(try scenario.waitFor(30) { try greenShares(scenario)["stg-frontend-green"] == 10 })
        // The revert of web hangs for 15 s, so the second signal lands while it is in flight (even when the
        // wait for the other groups' reverts takes seconds on a loaded machine).
        try scenario.testbed.faults([["match": ["action": "ModifyListener", "body_contains": web], "fault": ["type": "delay", "ms": 15_000], "count": 1]])
        kill(process.processIdentifier, SIGTERM)
        try #require(try scenario.waitFor(10) { try String(contentsOfFile: output.path + ".err", encoding: .utf8).contains("putting every group it moved back") })
        // The others are put back first, so web's held revert is the one still in flight.
        try #require(try scenario.waitFor(20) {
            try greenShares(scenario).filter { $0.key != "stg-frontend-green" }.values.allSatisfy { $0 == 0 }
        })
        kill(process.processIdentifier, SIGTERM)
        try #require(try scenario.waitFor(30) { !process.isRunning })
        let stderr = try String(contentsOfFile: output.path + ".err", encoding: .utf8)
        #expect(stderr.contains("SIGTERM again: still in flight: frontend"), "\(stderr)")
        #expect(process.terminationStatus == 143, "\(stderr)")
        #expect(try scenario.noneSplit())
    }

    @Test func aThirdSignalAbandonsTheRevertWithExitEightNamingWhatIsLeft() throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "60s")
        let web = (scenario.seeded["albs"] as! [String: [String: Any]])["web"]!["listener_arn"] as! String
        let output = scenario.directory.appendingPathComponent("promote")
        let process = try scenario.start("promote", "--release", release, output: output)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try #require(try scenario.waitFor(30) { try greenShares(scenario)["stg-frontend-green"] == 10 })
        try scenario.testbed.faults([["match": ["action": "ModifyListener", "body_contains": web], "fault": ["type": "delay", "ms": 20_000], "count": 1]])
        func stderr() throws -> String { try String(contentsOfFile: output.path + ".err", encoding: .utf8) }
        kill(process.processIdentifier, SIGTERM)
        try #require(try scenario.waitFor(10) { try stderr().contains("putting every group it moved back") })
        kill(process.processIdentifier, SIGTERM)
        try #require(try scenario.waitFor(10) { try stderr().contains("SIGTERM again") })
        // Only web's revert is held back: the others are put back before the third signal (on a loaded
        // machine moto takes a while for them too).
        try #require(try scenario.waitFor(20) {
            let shares = try greenShares(scenario)
            return shares.filter { $0.key != "stg-frontend-green" }.values.allSatisfy { $0 == 0 } && shares["stg-frontend-green"] == 10
        })
        kill(process.processIdentifier, SIGTERM)
        try #require(try scenario.waitFor(10) { !process.isRunning }, "a third signal ends it at once, not after the 20 s write")
        let text = try stderr()
        #expect(process.terminationStatus == 8, "\(text)")
        #expect(text.contains("abandoning. Traffic may be split: act now. Left as they are: frontend"), "\(text)")
    }

    @Test func aHealthReadThatFailsForGoodMidBakeRevertsEveryGroup() throws {
        let scenario = try Scenario(steps: [50, 100], bake: "1s")
        // Preflight reads 4 groups' health; every later read fails (the proxy answers 503 forever).
        try scenario.testbed.faults([["match": ["action": "DescribeTargetHealth"], "fault": ["type": "status", "status": 503], "skip": 4]])
        let promote = try scenario.cutover("promote", "--release", release)
        #expect(promote.status == 1, "\(promote.stderr)")
        #expect(promote.stderr.contains("error[promote.reverted]"), "\(promote.stderr)")
        #expect(promote.stderr.contains("DescribeTargetHealth"), "\(promote.stderr)")
        #expect(try scenario.noneSplit())
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 0 })
        let modifies = try scenario.testbed.log().filter { ["ModifyListener", "ModifyRule"].contains($0["action"] as? String ?? "") }
        #expect(modifies.count == 8, "4 groups to 50%, then 4 put back")
    }

    @Test func aRevertThatFailsExitsEightNamingTheSplitGroup() throws {
        let scenario = try Scenario(steps: [50, 100], bake: "1s")
        let web = (scenario.seeded["albs"] as! [String: [String: Any]])["web"]!["listener_arn"] as! String
        try scenario.testbed.faults([
            ["match": ["action": "DescribeTargetHealth"], "fault": ["type": "fail", "status": 400, "code": "ValidationError", "message": "scripted"], "skip": 4],
            // web's first write (50%) goes through; its revert fails for good.
            ["match": ["action": "ModifyListener", "body_contains": web], "fault": ["type": "fail", "status": 400, "code": "ValidationError", "message": "scripted: web is stuck"], "skip": 1],
        ])
        let promote = try scenario.cutover("promote", "--release", release)
        #expect(promote.status == 8, "\(promote.stderr)")
        #expect(promote.stderr.contains("TRAFFIC IS SPLIT"), "\(promote.stderr)")
        #expect(promote.stderr.contains("frontend: blue 50% / green 50%"), "\(promote.stderr)")
        #expect(!promote.stderr.contains("was put back"), "\(promote.stderr)")
        let shares = try greenShares(scenario)
        #expect(shares["stg-frontend-green"] == 50 && shares["stg-fn-football-green"] == 0)
    }

    @Test func rollbackOfAMistypedReleaseMovesNothing() throws {
        let scenario = try Scenario(steps: [100])
        #expect(try scenario.cutover("promote", "--release", release).status == 0)
        try scenario.testbed.resetProxy()
        let rollback = try scenario.cutover("rollback", "--release", "r2-typo")
        #expect(rollback.status == 1)
        #expect(rollback.stderr.contains("error[rollback.refused]"), "\(rollback.stderr)")
        #expect(rollback.stdout.contains("runs on neither"), "\(rollback.stdout)")
        #expect(try scenario.testbed.log().allSatisfy { !["ModifyListener", "ModifyRule"].contains($0["action"] as? String ?? "") })
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 100 }, "green, the approved release, keeps its traffic")
    }

    @Test func rollbackRefusesWhenTheNextReleaseWasDeployedOntoTheSavedColour() throws {
        let scenario = try Scenario(steps: [100])
        #expect(try scenario.cutover("promote", "--release", release).status == 0)
        // r3 goes onto blue, idle since r2's promotion. Restoring r2's saved actions would send it traffic.
        try retag(scenario, ["stg-frontend-blue"], release: "r3")
        try scenario.testbed.resetProxy()
        let rollback = try scenario.cutover("rollback", "--release", release)
        #expect(rollback.status == 1)
        #expect(rollback.stdout.contains("stg-frontend-blue: cutover:release was untagged when saved, now r3"), "\(rollback.stdout)")
        #expect(try scenario.testbed.log().allSatisfy { !["ModifyListener", "ModifyRule"].contains($0["action"] as? String ?? "") })
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 100 })
    }

    @Test func twoAgentsShareTheJournalAndTheLockInS3() throws {
        var scenario = try Scenario(steps: [10, 100], bake: "30s")
        try scenario.shareStateInS3()
        let agentA = scenario.directory.appendingPathComponent("agent-a")
        var a = scenario
        a.environment["CUTOVER_STATE_DIR"] = agentA.path
        var b = scenario
        b.environment["CUTOVER_STATE_DIR"] = scenario.directory.appendingPathComponent("agent-b").path
        // Agent A promotes (and bakes at 10%); agent B, another machine's disk, is refused by the lock in S3.
        let process = try a.start("promote", "--release", release)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try #require(try scenario.waitFor(30) { try greenShares(scenario).values.allSatisfy { $0 == 10 } })
        let refused = try b.cutover("rollback", "--release", release)
        #expect(refused.status == 7, "\(refused.stderr)")
        #expect(refused.stderr.contains("cutover promote --release r2"), "\(refused.stderr)")
        #expect(refused.stderr.contains("pid \(process.processIdentifier)"), "\(refused.stderr)")
        kill(process.processIdentifier, SIGKILL)  // the agent pod dies: no revert, the lease is left behind
        process.waitUntilExit()
        #expect(try scenario.s3Keys().contains("cutover/spectate/staging/lock.json"))
        #expect(try scenario.s3Keys().contains("cutover/spectate/staging/releases/r2.json"))
        // Agent B (same host here, so the dead holder is taken over at once) rolls back from the shared journal.
        let rollback = try b.cutover("rollback", "--release", release)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(rollback.stdout.contains("rolled-back"), "\(rollback.stdout)")
        #expect(try scenario.noneSplit())
        #expect(try greenShares(scenario).values.allSatisfy { $0 == 0 })
        #expect(!FileManager.default.fileExists(atPath: agentA.appendingPathComponent("spectate").path), "nothing went to the agent's disk")
    }

    @Test func journalsAndLocksHoldNoSecrets() throws {
        var scenario = try Scenario(steps: [50, 100])
        try scenario.shareStateInS3()
        let secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCY-\(UUID().uuidString)"
        scenario.environment["AWS_SECRET_ACCESS_KEY"] = secret
        scenario.environment["AWS_SESSION_TOKEN"] = "session-\(secret)"
        let promote = try scenario.cutover("promote", "--release", release)
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(!promote.stdout.contains(secret) && !promote.stderr.contains(secret))
        let keys = try scenario.s3Keys()
        #expect(keys.contains("cutover/spectate/staging/releases/r2.json"))
        for key in keys {
            // Read with awscli: an independent client, signed as moto's S3 wants for object reads.
            let object = try Subprocess.run(Subprocess.which("aws") ?? "/usr/local/bin/aws",
                                            ["--endpoint-url", scenario.testbed.motoURL.absoluteString, "--region", "eu-west-1", "s3", "cp", "s3://release-state/\(key)", "-"],
                                            environment: ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"])
            #expect(object.status == 0 && !object.stdout.isEmpty, "\(key): \(keys)")
            #expect(!object.stdout.contains(secret), "\(key) holds the secret")
        }
    }

    @Test func provisionRefusesWhileItsRouteIsSplit() throws {
        let scenario = try Scenario(steps: [10, 100], bake: "30s")
        let process = try scenario.start("promote", "--release", release)
        try #require(try scenario.waitFor(30) { try greenShares(scenario)["stg-events-green"] == 10 })
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let provision = try scenario.cutover("provision", "--service", "event-management", "--image", "repo/events:3.0", "--release", "r3")
        #expect(provision.status == 1, "\(provision.stderr)")
        #expect(provision.stderr.contains("error[release.split]"), "\(provision.stderr)")
        #expect(provision.stderr.contains("blue 90% / green 10%"), "\(provision.stderr)")
    }

    @Test func unlockRemovesALockWhoseHolderCannotReleaseIt() async throws {
        let scenario = try Scenario(steps: [100])
        // A holder that is alive as far as this host can tell (this test process) holds the lock.
        let held = try await StateLock.acquire(store: LocalStateStore(directory: scenario.stateDirectory),
                                               key: "spectate/staging/lock.json", command: "promote", release: "r1")
        defer { Task { try? await held.release() } }
        let refused = try scenario.cutover("promote", "--release", release)
        #expect(refused.status == 7, "\(refused.stderr)")
        let look = try scenario.cutover("unlock")
        #expect(look.status == 0 && look.stdout.contains("is locked by cutover promote --release r1"), "\(look.stdout)\(look.stderr)")
        #expect(try scenario.cutover("promote", "--release", release).status == 7, "unlock without --yes changes nothing")
        let unlock = try scenario.cutover("unlock", "--yes")
        #expect(unlock.status == 0 && unlock.stdout.contains("removed the lock"), "\(unlock.stdout)\(unlock.stderr)")
        let promote = try scenario.cutover("promote", "--release", release)
        #expect(promote.status == 0, "\(promote.stderr)")
        // The old holder learns it lost the lock at its next renewal (called here rather than waited
        // for: the test must not depend on when the background task gets a thread), and stops writing.
        #expect(await held.renew() == false)
        #expect(throws: LockLost.self) { try held.ensureHeld() }
    }

    @Test func everyRouteWriterTakesTheOneLock() async throws {
        let scenario = try Scenario(steps: [100])
        let artifact = scenario.directory.appendingPathComponent("frontend.tar.gz")
        FileManager.default.createFile(atPath: artifact.path, contents: Data("artifact".utf8))
        let held = try await StateLock.acquire(store: LocalStateStore(directory: scenario.stateDirectory),
                                               key: "spectate/staging/lock.json", command: "rollback", release: "r1")
        try scenario.testbed.resetProxy()
        let commands: [[String]] = [
            ["provision", "--service", "event-management", "--image", "repo/events:3.0", "--release", "r3"],
            ["deploy", "--service", "frontend", "--release", "r3", "--artifact", artifact.path],
            ["promote", "--release", release], ["rollback", "--release", release], ["cleanup", "--release", release],
        ]
        for command in commands {
            let result = try CLI.run(command + ["-c", scenario.config], environment: scenario.runEnvironment)
            #expect(result.status == 7, "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("locked by cutover rollback --release r1"), "\(command[0]): \(result.stderr)")
        }
        #expect(try scenario.testbed.log().allSatisfy { !["ModifyListener", "ModifyRule", "RegisterTargets", "CreateService"].contains($0["action"] as? String ?? "") })
        try await held.release()
    }

    @Test func cleanupThatFailsPartWaySaysWhatItAlreadyDeleted() throws {
        let scenario = try Scenario(steps: [100])
        #expect(try scenario.cutover("promote", "--release", release).status == 0)
        try scenario.testbed.faults([["match": ["action": "DeleteTargetGroup"], "fault": ["type": "fail", "status": 400, "code": "ResourceInUse", "message": "scripted: in use"]]])
        let cleanup = try scenario.cutover("cleanup", "--release", release)
        #expect(cleanup.status == 1, "\(cleanup.stderr)")
        #expect(cleanup.stdout.contains("cleanup stopped"), "\(cleanup.stdout)")
        #expect(cleanup.stdout.contains("already done: deleted ECS service event-management; removed stg-events-blue from"), "\(cleanup.stdout)")
        #expect(cleanup.stdout.contains("ResourceInUse"), "\(cleanup.stdout)")
        // The route no longer holds the old group and traffic never moved.
        #expect(try greenShares(scenario)["stg-events-green"] == 100)
        try scenario.testbed.faults([])
        let rerun = try scenario.cutover("cleanup", "--release", release)
        #expect(rerun.status == 0, "a rerun finishes: \(rerun.stdout)\(rerun.stderr)")
        #expect(rerun.stdout.contains("deleted target group stg-events-blue"), "\(rerun.stdout)")
    }

    @Test func jsonOutputIsOneDocumentEvenWhenLocked() throws {
        let scenario = try Scenario(steps: [10, 100], bake: "30s")
        let process = try scenario.start("promote", "--release", release)
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try #require(try scenario.waitFor(30) { try greenShares(scenario).values.contains(10) })
        let rollback = try scenario.cutover("rollback", "--release", release, "--json")
        #expect(rollback.status == 7)
        let document = try JSONSerialization.jsonObject(with: Data(rollback.stdout.utf8)) as? [String: Any]
        let error = document?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "lock.held", "\(rollback.stdout)")
        #expect(error?["exitStatus"] as? Int == 7)
    }
}
