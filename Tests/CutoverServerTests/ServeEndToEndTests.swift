import CutoverCore
import CutoverTesting
import Foundation
import Testing

/// `cutover serve` as a process against the Jenkins emulator: the emulator's request log proves which
/// POSTs a config edit caused, and that an invalid edit caused none.
@Suite("cutover serve end to end (Jenkins emulator)", .serialized)
struct ServeEndToEndTests {
    static let sports = "sports: [football, tennis, basketball, horse-racing]"

    struct Setup {
        let emulator: JenkinsEmulator
        let directory: URL
        let configPath: String
        let server: ServeProcess

        init(arguments: [String] = ["--watch-interval", "1"], environment extra: [String: String] = [:]) throws {
            emulator = try JenkinsEmulator()
            directory = try Paths.temporaryDirectory("serve-e2e")
            configPath = directory.appendingPathComponent("cutover.yml").path
            try Fixtures.exampleText().write(toFile: configPath, atomically: true, encoding: .utf8)
            var environment = emulator.environment
            environment["CUTOVER_API_TOKEN"] = Secrets.operate
            environment["CUTOVER_READ_TOKEN"] = Secrets.read
            environment["CUTOVER_STATE_DIR"] = directory.appendingPathComponent("state").path
            environment["AWS_ENDPOINT_URL"] = emulator.url.absoluteString  // anything that answers HTTP
            environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"
            environment["AWS_SECRET_ACCESS_KEY"] = "not-a-real-secret"
            for (key, value) in extra { environment[key] = value }
            server = try ServeProcess(["-c", configPath] + arguments, environment: environment)
        }

        func posts() throws -> [String] {
            try emulator.requests().filter { $0.method == "POST" }.map(\.path).sorted()
        }

        func edit(_ transform: (String) -> String) throws {
            let text = try String(contentsOfFile: configPath, encoding: .utf8)
            let changed = transform(text)
            precondition(changed != text, "the edit changed nothing")
            try changed.write(toFile: configPath, atomically: true, encoding: .utf8)
        }
    }

    @Test func configEditsReachJenkinsInvalidOnesNeverDoAndSIGTERMExitsZero() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        // Startup registers everything: 2 parent folders, and per environment its folder and 5 pipelines.
        #expect(try await eventually(timeout: .seconds(120)) { try setup.emulator.items().count == 12 }, "\(setup.server.log)")
        let ready = try await setup.server.request("GET", "/readyz")
        #expect(ready.status == 200, "\(ready.text)")

        // A new sport: only the two service-deploy jobs change, within the watch interval.
        try setup.emulator.reset()
        let edited = Date()
        try setup.edit { $0.replacingOccurrences(of: Self.sports, with: "sports: [football, tennis, basketball, horse-racing, golf]") }
        #expect(try await eventually(timeout: .seconds(120)) { try setup.posts().count == 2 })
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try setup.posts() == [
            "/job/releases/job/spectate/job/production/job/service-deploy/config.xml",
            "/job/releases/job/spectate/job/staging/job/service-deploy/config.xml",
        ])
        #expect(try setup.emulator.items()["releases/spectate/staging/service-deploy"]?.config.contains("golf") == true)
        let status = try await setup.server.json("GET", "/v1/reconcile", token: Secrets.read)
        let lastRun = try #require(status["lastRun"] as? [String: Any])
        #expect(lastRun["outcome"] as? String == "applied" && lastRun["reason"] as? String == "watch")
        // Timed by the server (this test process can be starved by the rest of the suite): the run that
        // registered the edit ended within the 1 s interval plus the registration (whole seconds).
        let finished = try #require((lastRun["finishedAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(finished.timeIntervalSince(edited) < 4, "the change reached Jenkins \(finished.timeIntervalSince(edited)) s after the edit")
        #expect((lastRun["changes"] as? [[String: Any]])?.compactMap { $0["path"] as? String }.sorted() == [
            "releases/spectate/production/service-deploy", "releases/spectate/staging/service-deploy",
        ])

        // An invalid edit: reported with its position, nothing POSTed, the golf pipelines stay.
        try setup.emulator.reset()
        try setup.edit { $0.replacingOccurrences(of: "horse-racing, golf]", with: "horse-racing, golf, Bad_Sport!]") }
        let text = try String(contentsOfFile: setup.configPath, encoding: .utf8)
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("Bad_Sport!") }) + 1
        var problems: [[String: Any]] = []
        #expect(try await eventually(timeout: .seconds(120)) {
            problems = try await setup.server.json("GET", "/v1/reconcile", token: Secrets.read)["diagnostics"] as? [[String: Any]] ?? []
            return !problems.isEmpty
        })
        let location = try #require(problems.first?["location"] as? String)
        #expect(location.hasPrefix("\(setup.configPath):\(line):"), "\(problems)")
        #expect(Int(location.split(separator: ":").last ?? "") ?? 0 > 1)
        try await Task.sleep(for: .milliseconds(2500))  // two more ticks
        #expect(try setup.posts() == [], "an invalid config never reaches Jenkins")
        #expect(try setup.emulator.items()["releases/spectate/staging/service-deploy"]?.config.contains("golf") == true)
        let unready = try await setup.server.request("GET", "/readyz")
        #expect(unready.status == 503)
        #expect(unready.text.contains(#""name":"config""#) && unready.text.contains(location))
        #expect(setup.server.log.contains(location), "the log names the position")

        // SIGTERM: a prompt, clean exit.
        let (exit, seconds) = setup.server.stop()
        #expect(exit == 0, "\(setup.server.log)")
        #expect(seconds < 10)
        let lines = setup.server.lines
        #expect(lines.allSatisfy { $0["unparsed"] == nil && $0["level"] != nil && $0["time"] != nil }, "every log line is one JSON object")
        #expect(lines.contains { $0["message"] as? String == "stopped" })
        for secret in [Secrets.operate, Secrets.read, setup.emulator.token] {
            #expect(!setup.server.log.contains(secret))
        }
    }

    @Test func jenkinsDownKeepsTheServerServingAndReadyzSaysWhat() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        #expect(try await eventually(timeout: .seconds(120)) { try setup.emulator.items().count == 12 })
        try setup.emulator.fault(status: 503, count: 10_000)
        let unready = try await setup.server.request("GET", "/readyz")
        #expect(unready.status == 503)
        let checks = (try JSONSerialization.jsonObject(with: unready.body) as? [String: Any])?["checks"] as? [[String: Any]] ?? []
        let jenkins = try #require(checks.first { $0["name"] as? String == "jenkins" }, "\(unready.text)")
        #expect(jenkins["ok"] as? Bool == false && (jenkins["message"] as? String)?.contains("503") == true, "\(unready.text)")
        #expect(checks.filter { $0["ok"] as? Bool == true }.compactMap { $0["name"] as? String }.contains("config"), "only Jenkins is down")

        let health = try await setup.server.request("GET", "/healthz")
        #expect(health.status == 200)
        let answer = try await setup.server.json("POST", "/v1/reconcile", token: Secrets.operate)
        #expect((answer["lastRun"] as? [String: Any])?["outcome"] as? String == "failed" || answer["running"] as? Bool == true, "\(answer)")
        let (exit, seconds) = setup.server.stop()
        #expect(exit == 0 && seconds < 15, "\(setup.server.log)")
    }

    /// `/readyz` probes what the applied config names: an environment moved to another state store gets
    /// that store probed after the edit is registered, without a restart.
    @Test func readinessFollowsTheAppliedConfig() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        #expect(try await eventually(timeout: .seconds(120)) { try setup.emulator.items().count == 12 }, "\(setup.server.log)")
        func checkNames() async throws -> [String] {
            let answer = try await setup.server.request("GET", "/readyz")
            let checks = (try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["checks"] as? [[String: Any]] ?? []
            return checks.compactMap { $0["name"] as? String }
        }
        let moved = setup.directory.appendingPathComponent("moved-state").path
        let before = try await checkNames()
        #expect(before.contains("state \(setup.directory.appendingPathComponent("state").path)") && !before.contains("state \(moved)"), "\(before)")

        try setup.edit { $0.replacingOccurrences(of: "\n  staging:\n", with: "\n  staging:\n    state: \(moved)\n") }
        var after: [String] = []
        #expect(try await eventually(timeout: .seconds(120)) {
            after = try await checkNames()
            return after.contains("state \(moved)")
        }, "\(after)\n\(setup.server.log)")
        #expect(after.contains("state \(setup.directory.appendingPathComponent("state").path)"), "production keeps the default store: \(after)")
        #expect(setup.server.stop().status == 0)
    }

    /// `--watch git`: the branch of jenkins.source (redirected by git's own `insteadOf` to a local bare
    /// repository), and a signed GitHub push webhook that reconciles at once, long before the next tick.
    @Test func gitWatchAndAPushWebhook() async throws {
        let remote = try GitConfigSourceTests.Remote()
        defer { try? FileManager.default.removeItem(at: remote.root) }
        try remote.push(try Fixtures.exampleText(), path: Fixtures.examplePath)
        let setup = try Setup(arguments: ["--watch", "git", "--watch-interval", "600", "--clone-dir", remote.root.appendingPathComponent("clone").path],
                              environment: ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "url.\(remote.bare).insteadOf",
                                            "GIT_CONFIG_VALUE_0": "https://git.example.com/spectate/release.git",
                                            "CUTOVER_WEBHOOK_SECRET": Secrets.webhook])
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        #expect(try await eventually(timeout: .seconds(120)) { try setup.emulator.items().count == 12 }, "\(setup.server.log)")
        try setup.emulator.reset()
        let commit = try remote.push(try Fixtures.exampleText().replacingOccurrences(
            of: Self.sports, with: "sports: [football, tennis, basketball, horse-racing, golf]"), path: Fixtures.examplePath)

        let body = Data(#"{"ref":"refs/heads/main"}"#.utf8)
        let unsigned = try await setup.server.request("POST", "/v1/hooks/git", body: body)
        #expect(unsigned.status == 401)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try setup.posts() == [], "an unsigned delivery runs nothing")

        let signature = try WebhookTests.githubSignature(String(decoding: body, as: UTF8.self), secret: Secrets.webhook)
        let signed = try await setup.server.transport.send(
            .init(method: "POST", url: URL(string: "/v1/hooks/git", relativeTo: setup.server.url)!.absoluteURL,
                  headers: [("X-Hub-Signature-256", signature), ("X-GitHub-Event", "push")], body: body), timeout: .seconds(5))
        #expect(signed.status == 202, "\(signed.text)")
        #expect(try await eventually(timeout: .seconds(120)) { try setup.posts().count == 2 })
        let status = try await setup.server.json("GET", "/v1/reconcile", token: Secrets.read)
        #expect((status["applied"] as? [String: Any])?["revision"] as? String == commit)
        #expect((status["lastRun"] as? [String: Any])?["reason"] as? String == "webhook:github")
        #expect(setup.server.stop().status == 0)
        #expect(!setup.server.log.contains(Secrets.webhook))
    }

    /// `--watch off` (the sidecar of an agent pod): nothing is registered until asked.
    @Test func watchOffRegistersOnlyWhenAsked() async throws {
        let setup = try Setup(arguments: ["--watch", "off"])
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        try await Task.sleep(for: .seconds(1))
        #expect(try setup.emulator.items().isEmpty && setup.posts().isEmpty)
        #expect(try await setup.server.request("GET", "/readyz").status == 200)
        let answer = try await setup.server.json("POST", "/v1/reconcile", token: Secrets.operate)
        #expect((answer["lastRun"] as? [String: Any])?["outcome"] as? String == "applied")
        #expect(try setup.emulator.items().count == 12)
        #expect(setup.server.stop().status == 0)
    }

    /// The daemon keeps one step process started and waiting (`cutover step-worker`). An operation takes
    /// it and hands it the step's command line, environment and directory on stdin; a new one waits after
    /// the operation; when the spare has died, the step gets a child started for it; the spare leaves
    /// with the daemon.
    @Test func aStepRunsInTheWaitingProcessWithTheRequestsEnvironmentAndDirectory() async throws {
        // The database URL for staging reaches the step only as the request's environment: its error names the address.
        let setup = try Setup(arguments: ["--watch", "off"], environment: ["DATABASE_URL_STAGING": "postgresql://u:pw-\(Secrets.read)@127.0.0.1:1/db"])
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let migration = setup.directory.appendingPathComponent("project/prisma/migrations/20260101000000_init")
        try FileManager.default.createDirectory(at: migration, withIntermediateDirectories: true)
        try "CREATE TABLE t (id int);\n".write(to: migration.appendingPathComponent("migration.sql"), atomically: true, encoding: .utf8)
        let daemon = setup.server.process.processIdentifier

        func migrate() async throws -> [String: Any] {
            // The relative prisma/migrations is found only in the request's working directory.
            let body = #"{"release": "r1", "workingDirectory": "\#(setup.directory.path)/project"}"#
            let response = try await setup.server.request("POST", "/v1/environments/staging/migrate", token: Secrets.operate,
                                                          body: Data(body.utf8), timeout: .seconds(120))
            let end = response.text.split(separator: "\n").last.map { String($0) } ?? ""
            let line = (try? JSONSerialization.jsonObject(with: Data(end.utf8)) as? [String: Any]) ?? [:]
            return ((line["operation"] as? [String: Any])?["outcome"] as? [String: Any]) ?? ["unparsed": response.text]
        }
        func expectReachedTheDatabaseURL(_ outcome: [String: Any]) {
            let message = outcome["errorMessage"] as? String ?? ""
            #expect(outcome["errorCode"] as? String == "migrate.connect" && message.contains("127.0.0.1:1"), "\(outcome)")
            #expect(!message.contains(Secrets.read), "the password is masked: \(message)")
        }

        #expect(try await eventually(timeout: .seconds(60)) { StepProcesses.spares(of: daemon).count == 1 }, "\(setup.server.log)")
        let first = StepProcesses.spares(of: daemon)[0]
        expectReachedTheDatabaseURL(try await migrate())
        #expect(try await eventually(timeout: .seconds(60)) { StepProcesses.spares(of: daemon).filter { $0 != first }.count == 1 })
        #expect(StepProcesses.isGone(first), "the first spare ran the step and ended")

        // A spare that died: the step still runs, in a child of its own, and a spare waits again after it.
        let second = StepProcesses.spares(of: daemon)[0]
        kill(second, SIGKILL)
        #expect(try await eventually(timeout: .seconds(30)) { StepProcesses.isGone(second) })
        expectReachedTheDatabaseURL(try await migrate())
        #expect(try await eventually(timeout: .seconds(60)) { StepProcesses.spares(of: daemon).count == 1 })

        let last = StepProcesses.spares(of: daemon)[0]
        #expect(setup.server.stop().status == 0)
        #expect(try await eventually(timeout: .seconds(30)) { StepProcesses.isGone(last) }, "the spare ends with the daemon")
        #expect(!setup.server.log.contains(Secrets.read))
    }

    /// `--no-spare`: no process waits; a step still runs, in a child started for it.
    @Test func noSpareKeepsNoProcessWaiting() async throws {
        let setup = try Setup(arguments: ["--watch", "off", "--no-spare"])
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        let daemon = setup.server.process.processIdentifier
        let response = try await setup.server.request("POST", "/v1/environments/staging/migrate", token: Secrets.operate,
                                                      body: Data(#"{"release": "r1"}"#.utf8), timeout: .seconds(120))
        #expect(response.text.contains(#""errorCode":"migrate.no-migrations""#), "\(response.text)")
        try await Task.sleep(for: .seconds(1))
        #expect(StepProcesses.spares(of: daemon).isEmpty)
        #expect(setup.server.stop().status == 0)
    }

    @Test func refusesToStartWithoutATokenOrWithABadAddress() throws {
        let noToken = try CLI.run(["serve", "-c", Fixtures.examplePath, "--listen", "127.0.0.1:0"],
                                  environment: ["CUTOVER_API_TOKEN": "", "CUTOVER_READ_TOKEN": ""])
        #expect(noToken.status == 64 && noToken.stderr.contains("no API token"), "\(noToken.stderr)")
        let badAddress = try CLI.run(["serve", "-c", Fixtures.examplePath, "--listen", "8780"])
        #expect(badAddress.status == 64 && badAddress.stderr.contains("--listen \"8780\" is not host:port"), "\(badAddress.stderr)")
    }
}

/// The daemon's waiting step processes, read from /proc.
enum StepProcesses {
    static func spares(of daemon: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon)/task")) ?? []
        let children = tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(daemon)/task/\(task)/children", encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int32($0) }
        }
        return children.filter { pid in
            guard !isGone(pid), let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.dropFirst().first == "step-worker"
        }
    }

    /// No such process, or a zombie (it ended and nobody has reaped it yet).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)...].first == "Z"
    }
}
