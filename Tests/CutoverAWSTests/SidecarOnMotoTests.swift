import CutoverTesting
import Foundation
import Testing

/// Steps run by `cutover serve` (a real process) against moto: through the API and through the CLI's
/// `--server`. The daemon holds the AWS credentials; the clients hold only its token.
@Suite(.serialized) struct SidecarOnMotoTests {
    static let operate = "operate-token-\(UUID().uuidString)"
    let release = Scenario.release

    /// A daemon for `scenario`, without config watching (the steps are what is under test).
    func daemon(_ scenario: Scenario, _ extra: [String] = []) throws -> ServeProcess {
        var environment = scenario.runEnvironment
        environment["CUTOVER_API_TOKEN"] = Self.operate
        environment["JENKINS_URL"] = "http://127.0.0.1:9"
        return try ServeProcess(["-c", scenario.config, "--watch", "off"] + extra, environment: environment)
    }

    /// The CLI as a client of the daemon: no AWS credentials or endpoint, only the server and its token.
    func client(_ scenario: Scenario, _ server: ServeProcess, _ arguments: String...) throws -> ProcessResult {
        try CLI.run(arguments + ["-c", scenario.config, "--server", server.url.absoluteString],
                    environment: clientEnvironment(scenario))
    }

    func clientEnvironment(_ scenario: Scenario) -> [String: String] {
        ["CUTOVER_API_TOKEN": Self.operate, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
         "CUTOVER_STATE": scenario.directory.appendingPathComponent("client-state-unused").path]
    }

    func greenShares(_ scenario: Scenario) throws -> [Int] {
        try scenario.splits().values.compactMap { split in
            let total = split.values.reduce(0, +)
            return split.first { $0.key.hasSuffix("-green") }.map { total == 0 ? 0 : $0.value * 100 / total }
        }
    }

    /// Every group's green at 10%: the promotion is baking its first step.
    func atFirstStep(_ scenario: Scenario) throws -> Bool {
        let shares = try greenShares(scenario)
        return shares.count >= 3 && shares.allSatisfy { $0 == 10 }
    }

    func operations(_ server: ServeProcess) async throws -> [[String: Any]] {
        try await server.json("GET", "/v1/operations", token: Self.operate)["operations"] as? [[String: Any]] ?? []
    }

    func start(_ server: ServeProcess, _ step: String, _ body: String) async throws -> String {
        let response = try await server.request("POST", "/v1/environments/staging/\(step)?follow=false", token: Self.operate, body: Data(body.utf8))
        try #require(response.status == 202, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require((try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["id"] as? String)
    }

    @Test func theCLIThroughTheDaemonPrintsWhatItPrintsHereAndExitsWithTheSameCode() async throws {
        let scenario = try Scenario(steps: [100])
        let server = try daemon(scenario)
        let local = try scenario.cutover("status")
        let remote = try client(scenario, server, "status")
        #expect(remote.status == local.status, "\(remote.stderr)")
        #expect(remote.stdout == local.stdout)
        #expect(remote.stderr.contains("runs on the sidecar") && remote.stderr.contains("cutover status --config="), "\(remote.stderr)")

        // A refused promotion: the same exit code and error line as here.
        let refusedHere = try scenario.cutover("promote", "--release", "nope")
        let refusedThere = try client(scenario, server, "promote", "--release", "nope")
        #expect(refusedHere.status != 0 && refusedThere.status == refusedHere.status, "\(refusedThere.stderr)")
        let errorLine = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("error[") }.map(String.init) }
        #expect(errorLine(refusedThere.stderr) == errorLine(refusedHere.stderr), "\(refusedThere.stderr)")

        // A real promotion, then --json: one document on stdout, as here.
        let promoted = try client(scenario, server, "promote", "--release", release)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try greenShares(scenario).allSatisfy { $0 == 100 })
        let json = try client(scenario, server, "status", "--json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(document["groups"] as? [Any] != nil)
        // The daemon's log never holds the token; the client's state was never touched (the daemon's is).
        #expect(!server.log.contains(Self.operate))
        #expect(!FileManager.default.fileExists(atPath: scenario.directory.appendingPathComponent("client-state-unused").path))
    }

    @Test func aClientStartedBeforeItsSidecarWaitsForIt() async throws {
        // The pod's first step can run before the sidecar container listens: a refused connection is retried.
        let scenario = try Scenario(steps: [100])
        let port = try AWSTestbed.freePort()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: Paths.binary)
        client.arguments = ["status", "-c", scenario.config, "--server", "http://127.0.0.1:\(port)"]
        client.environment = ProcessInfo.processInfo.environment.merging(clientEnvironment(scenario)) { $1 }
        let output = Pipe()
        client.standardOutput = output
        client.standardError = FileHandle.nullDevice
        try client.run()
        try await Task.sleep(for: .seconds(2))
        #expect(client.isRunning, "the client gave up on a sidecar that was not listening yet")
        let server = try daemon(scenario, ["--listen", "127.0.0.1:\(port)"])
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0 && text.contains("frontend"), "\(text)\n\(server.log)")
    }

    @Test func aDroppedConnectionReattachesAndEveryLineShowsOnce() async throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "1s")
        let server = try daemon(scenario)
        // The first connection (the POST's stream) is cut after 700 bytes: mid-promotion.
        let (proxy, proxyURL) = try ReadyProcess.start(Paths.repo("Tests/Support/sidecar/cutproxy.py"),
                                                       ["--upstream", "127.0.0.1:\(server.url.port!)", "--cut-after", "700"])
        defer { kill(proxy.processIdentifier, SIGKILL) }
        let promoted = try CLI.run(["promote", "--release", release, "-c", scenario.config, "--server", proxyURL.absoluteString],
                                   environment: clientEnvironment(scenario))
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.stderr.contains("re-attaching to op-"), "\(promoted.stderr)")
        let done = promoted.stderr.components(separatedBy: "promote r2: done").count - 1
        let steps = promoted.stderr.components(separatedBy: "promote: step 2 of 3").count - 1
        #expect(done == 1 && steps == 1, "every line once: \(promoted.stderr)")
        #expect(try greenShares(scenario).allSatisfy { $0 == 100 })
    }

    @Test func aRequestTheStepsParserRefusesStartsNothing() async throws {
        let scenario = try Scenario(steps: [100])
        let server = try daemon(scenario)
        for (body, fragment) in [(#"{"release": "r2", "colour": "green"}"#, "Unknown option '--colour"),
                                 (#"{"release": "r2", "config": "cutover.yml"}"#, "absolute path"),
                                 (#"{"arguments": ["--release", "r2", "--state", "/tmp/x"]}"#, "--state is the daemon's"),
                                 (#"{"release": "r2", "databaseUrl": "postgresql://u:p@h/db"}"#, "DATABASE_URL_<ENV>")] {
            let response = try await server.request("POST", "/v1/environments/staging/promote", token: Self.operate, body: Data(body.utf8))
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(response.status == 400 && text.contains("operation.bad-request") && text.contains(fragment), "\(body): \(text)")
        }
        #expect(try await operations(server).isEmpty)
        #expect(try scenario.testbed.log().allSatisfy { $0["action"] as? String != "ModifyListener" })
        let unknown = try await server.request("POST", "/v1/environments/staging/promot", token: Self.operate, body: Data("{}".utf8))
        #expect(unknown.status == 404 && String(decoding: unknown.body, as: UTF8.self).contains("operation.unknown-step"))
    }

    /// The client forwards a step's words without parsing them (RemoteStep.fromCommandLine): a mistyped
    /// option is the step parser's refusal from the daemon, exit 64 as it is locally; help is local; a
    /// client mistake (no token) is a usage error before anything is sent.
    @Test func theClientsMistakesAreReportedAsTheCommandReportsThem() async throws {
        let scenario = try Scenario(steps: [100])
        let server = try daemon(scenario)
        let typo = try client(scenario, server, "promote", "--relase", release)
        #expect(typo.status == 64 && typo.stderr.contains("the sidecar refused: promote:"), "\(typo.stderr)")
        let help = try client(scenario, server, "promote", "--help")
        #expect(help.status == 0 && help.stdout.contains("USAGE: cutover promote"), "\(help.stdout)\(help.stderr)")
        var noToken = clientEnvironment(scenario)
        noToken["CUTOVER_API_TOKEN"] = ""
        let tokenless = try CLI.run(["promote", "--release", release, "-c", scenario.config, "--server", server.url.absoluteString],
                                    environment: noToken)
        #expect(tokenless.status == 64 && tokenless.stderr.contains("Error: --server needs the sidecar's operate token in CUTOVER_API_TOKEN"),
                "\(tokenless.stderr)")
        #expect(try await operations(server).isEmpty)
        #expect(try scenario.testbed.log().allSatisfy { $0["action"] as? String != "ModifyListener" })
    }

    @Test func aPromotionWhoseClientIsKilledStillFinishes() async throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "2s")
        let server = try daemon(scenario)
        let client = Process()
        client.executableURL = URL(fileURLWithPath: Paths.binary)
        client.arguments = ["promote", "--release", release, "-c", scenario.config, "--server", server.url.absoluteString]
        client.environment = ProcessInfo.processInfo.environment.merging(clientEnvironment(scenario)) { $1 }
        client.standardOutput = FileHandle.nullDevice
        client.standardError = FileHandle.nullDevice
        try client.run()
        try #require(try scenario.waitFor(30) { try greenShares(scenario).contains(10) }, "the promotion never reached its first step")
        // The Jenkins agent dies: no signal handler runs, no abort is sent.
        kill(client.processIdentifier, SIGKILL)
        client.waitUntilExit()
        var finished = false
        for _ in 0..<600 where !finished {
            finished = try await operations(server).first?["state"] as? String == "succeeded"
            if !finished { try await Task.sleep(for: .milliseconds(100)) }
        }
        let listed = try await operations(server)
        #expect(finished, "\(listed)")
        #expect(try greenShares(scenario).allSatisfy { $0 == 100 })
    }

    @Test func aJenkinsAbortOfTheClientAbortsTheStepAndShowsTheRevert() async throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "60s")
        let server = try daemon(scenario)
        let output = scenario.directory.appendingPathComponent("client")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let client = Process()
        client.executableURL = URL(fileURLWithPath: Paths.binary)
        client.arguments = ["promote", "--release", release, "-c", scenario.config, "--server", server.url.absoluteString]
        client.environment = ProcessInfo.processInfo.environment.merging(clientEnvironment(scenario)) { $1 }
        client.standardOutput = FileHandle.nullDevice
        client.standardError = try FileHandle(forWritingTo: output)
        try client.run()
        defer { if client.isRunning { kill(client.processIdentifier, SIGKILL) } }
        try #require(try scenario.waitFor(30) { try atFirstStep(scenario) })
        kill(client.processIdentifier, SIGTERM)
        try #require(try scenario.waitFor(60) { !client.isRunning })
        let stderr = try String(contentsOfFile: output.path, encoding: .utf8)
        #expect(client.terminationStatus == 143, "\(stderr)")
        #expect(stderr.contains("asking the sidecar to abort") && stderr.contains("every group it moved was put back"), "\(stderr)")
        #expect(try scenario.noneSplit() && greenShares(scenario).allSatisfy { $0 == 0 })
    }

    @Test func abortPutsEveryGroupBackAndTheLogReadsOnFromAnyOffset() async throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "60s")
        let server = try daemon(scenario)
        let id = try await start(server, "promote", #"{"release": "r2"}"#)
        try #require(try scenario.waitFor(30) { try atFirstStep(scenario) })
        let abort = try await server.request("POST", "/v1/operations/\(id)/abort", token: Self.operate)
        #expect(abort.status == 202)
        var summary: [String: Any] = [:]
        for _ in 0..<300 {
            summary = try await server.json("GET", "/v1/operations/\(id)", token: Self.operate)
            if summary["finishedAt"] != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(summary["state"] as? String == "aborted", "\(summary)")
        #expect((summary["outcome"] as? [String: Any])?["exitCode"] as? Int == 143, "\(summary)")
        #expect(try scenario.noneSplit() && greenShares(scenario).allSatisfy { $0 == 0 })
        // Re-attach from an offset: the rest of the log, ending with the result.
        let count = try #require(summary["events"] as? Int)
        let tail = try await server.request("GET", "/v1/operations/\(id)/events?from=\(count - 2)", token: Self.operate)
        let lines = String(decoding: tail.body, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(lines.first?["type"] as? String == "operation" && lines.last?["type"] as? String == "end")
        #expect(lines.filter { $0["type"] as? String == "event" }.compactMap { $0["offset"] as? Int } == [count - 2, count - 1])
        let all = try await server.request("GET", "/v1/operations/\(id)/events?follow=false", token: Self.operate)
        #expect(String(decoding: all.body, as: UTF8.self).contains("every group it moved was put back"))
    }

    @Test func aCLIPromotionAndADaemonRollbackExcludeEachOther() async throws {
        let scenario = try Scenario(steps: [10, 100], bake: "60s")
        let server = try daemon(scenario)
        let promote = try scenario.start("promote", "--release", release)
        defer { if promote.isRunning { kill(promote.processIdentifier, SIGKILL) } }
        try #require(try scenario.waitFor(30) { try greenShares(scenario).contains(10) })
        let rollback = try client(scenario, server, "rollback", "--release", release)
        #expect(rollback.status == 7, "\(rollback.stderr)")
        #expect(rollback.stderr.contains("error[lock."), "\(rollback.stderr)")
        kill(promote.processIdentifier, SIGTERM)
        promote.waitUntilExit()
        #expect(try scenario.noneSplit())
    }

    @Test func SIGTERMToTheDaemonDuringAPromotionLeavesNoGroupSplit() async throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "60s")
        let server = try daemon(scenario, ["--shutdown-timeout", "1"])
        _ = try await start(server, "promote", #"{"release": "r2"}"#)
        try #require(try scenario.waitFor(30) { try atFirstStep(scenario) })
        // Past the 1 s deadline the daemon aborts the promotion, which puts every group back, then exits 0.
        let stopped = server.stop(signal: SIGTERM, timeout: 60)
        #expect(stopped.status == 0, "\(server.log)")
        #expect(try scenario.noneSplit())
        #expect(try greenShares(scenario).allSatisfy { $0 == 0 })
        #expect(server.log.contains("operations drained"), "\(server.log)")
    }
}
