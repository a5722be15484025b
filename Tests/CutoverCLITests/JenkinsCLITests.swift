import CutoverTesting
import Foundation
import Testing

/// `cutover register` and `cutover jenkins` as users run them, against the emulator.
@Suite("cutover register and jenkins commands")
struct JenkinsCLITests {
    @Test func registerDryRunThenRegisterThenNothingToDo() throws {
        let emulator = try JenkinsEmulator()
        let env = emulator.environment
        let dry = try CLI.run(["register", "-c", Fixtures.examplePath, "--dry-run"], environment: env)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would be created releases/spectate/staging/promote (job)\n"))
        #expect(dry.stdout.contains("\nregister: 8 jobs, 4 folders: 12 would be created, 0 would be updated, 0 unchanged in "))
        #expect(try emulator.items().isEmpty)
        // The library is not registered but loaded from git: the dry run says the checkout's copy is the rendered one.
        #expect(dry.stdout.contains("library: 22 of 22 files as the config renders them\n"), "\(dry.stdout)")
        #expect(!dry.stdout.contains("(run `cutover render` and commit it"))
        // From a checkout without the rendered library, every file is named as missing.
        let elsewhere = try Paths.temporaryDirectory("register-library")
        let stale = try CLI.run(["register", "-c", Paths.repo("examples/spectate.yml"), "--dry-run", "--json"], environment: env, directory: elsewhere.path)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(stale.stdout.utf8)) as? [String: Any])
        let library = try #require(document["library"] as? [[String: String]])
        #expect(library.count == 22 && library.allSatisfy { $0["state"] == "missing" })
        #expect(library.contains { $0["path"] == "library/vars/cutoverPromote.groovy" })

        let real = try CLI.run(["register", "-c", Fixtures.examplePath], environment: env)
        #expect(real.status == 0, "\(real.stderr)")
        #expect(real.stdout.contains("\nregister: 8 jobs, 4 folders: 12 created, 0 updated, 0 unchanged in "))
        #expect(try emulator.items().count == 12)

        try emulator.reset()
        let again = try CLI.run(["register", "-c", Fixtures.examplePath, "--prune", "--json"], environment: env)
        #expect(again.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(object["unchanged"] as? Int == 12)
        #expect(object["created"] as? Int == 0 && object["updated"] as? Int == 0 && object["pruned"] as? Int == 0)
        #expect(try emulator.requests().filter { $0.method == "POST" }.isEmpty)
    }

    @Test func registerDryRunShowsTheDiffOfAHandEdit() throws {
        let emulator = try JenkinsEmulator()
        _ = try CLI.run(["register", "-c", Fixtures.examplePath, "--env", "staging"], environment: emulator.environment)
        let config = try #require(try emulator.items()["releases/spectate/staging/rollback"]?.config)
        try emulator.seed(["releases/spectate/staging/rollback": config.replacingOccurrences(of: "<numToKeep>50</numToKeep>", with: "<numToKeep>5</numToKeep>")])
        let dry = try CLI.run(["register", "-c", Fixtures.examplePath, "--env", "staging", "--dry-run"], environment: emulator.environment)
        #expect(dry.stdout.contains("""
        would be updated releases/spectate/staging/rollback (job)
        --- \(emulator.url.absoluteString)/job/releases/job/spectate/job/staging/job/rollback/config.xml
        +++ jenkins/staging/rollback/config.xml
        """))
        #expect(dry.stdout.contains("-        <numToKeep>5</numToKeep>\n+        <numToKeep>50</numToKeep>\n"))
        #expect(try emulator.items()["releases/spectate/staging/rollback"]?.config.contains("<numToKeep>5</numToKeep>") == true)
    }

    @Test func wrongTokenOrNoURLFailsClearly() throws {
        let emulator = try JenkinsEmulator()
        var env = emulator.environment
        env["JENKINS_TOKEN"] = "wrong"
        let result = try CLI.run(["register", "-c", Fixtures.examplePath], environment: env)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error[jenkins.auth]: Jenkins rejected the API token of user 'admin'"))
        #expect(!result.stderr.contains("wrong"), "the token must not be printed")
        let noURL = try CLI.run(["register", "-c", "Tests/Fixtures/configs/no-url.yml"], environment: ["JENKINS_URL": ""])
        // Exit 1 with the not-configured error: any other failure (a crash, a usage error, a config error)
        // is not this behaviour.
        #expect(noURL.status == 1, "\(noURL.stderr)")
        #expect(noURL.stderr.hasPrefix("error[jenkins.not-configured]: no Jenkins URL: pass --url, set JENKINS_URL, or set jenkins.url in the config"), "\(noURL.stderr)")
    }

    @Test func buildFollowStreamsTheConsoleAndExitsWithTheResult() throws {
        let emulator = try JenkinsEmulator()
        try emulator.configure(queueDelay: 0.1, lineInterval: 0.02)
        let env = emulator.environment
        _ = try CLI.run(["register", "-c", Fixtures.examplePath, "--env", "staging"], environment: env)
        let success = try CLI.run(["jenkins", "build", "promote", "-c", Fixtures.examplePath, "--env", "staging",
                                   "--param", "RELEASE=2026.11.28-1", "--follow", "--poll-interval", "0.1"], environment: env)
        #expect(success.status == 0, "\(success.stderr)")
        #expect(success.stdout.contains("RELEASE=2026.11.28-1"))
        #expect(success.stdout.hasSuffix("Finished: SUCCESS\n"))
        #expect(success.stderr.contains("releases/spectate/staging/promote #1: SUCCESS"))

        try emulator.nextResult(job: "releases/spectate/staging/promote", result: "FAILURE")
        let failure = try CLI.run(["jenkins", "build", "releases/spectate/staging/promote", "--param", "RELEASE=r2", "--follow",
                                   "--poll-interval", "0.1", "--json"], environment: env)
        #expect(failure.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(failure.stdout.utf8)) as? [String: Any])
        #expect(object["result"] as? String == "FAILURE")
        #expect(object["build"] as? Int == 2)

        try emulator.nextResult(job: "releases/spectate/staging/promote", result: "UNSTABLE")
        let unstable = try CLI.run(["jenkins", "build", "releases/spectate/staging/promote", "--param", "RELEASE=r3", "--follow",
                                    "--poll-interval", "0.1"], environment: env)
        #expect(unstable.status == 4)

        let status = try CLI.run(["jenkins", "status", "releases/spectate/staging/promote"], environment: env)
        #expect(status.status == 4)
        #expect(status.stdout.hasPrefix("releases/spectate/staging/promote #3: UNSTABLE in "))

        let missing = try CLI.run(["jenkins", "build", "releases/spectate/staging/nope"], environment: env)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error[jenkins.not-found]: cannot start a build of releases/spectate/staging/nope: releases/spectate/staging/nope does not exist (HTTP 404)"))
    }

    @Test func aCancelledQueueItemExits5() throws {
        let emulator = try JenkinsEmulator()
        try emulator.configure(queueDelay: 60, lineInterval: 0.02)
        let env = emulator.environment
        _ = try CLI.run(["register", "-c", Fixtures.examplePath, "--env", "staging"], environment: env)
        let build = Process()
        build.executableURL = URL(fileURLWithPath: Paths.binary)
        build.arguments = ["jenkins", "build", "releases/spectate/staging/rollback", "--param", "RELEASE=r1", "--poll-interval", "0.1"]
        build.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let stderr = Pipe()
        build.standardError = stderr
        build.standardOutput = FileHandle.nullDevice
        try build.run()
        // Someone cancels the waiting item in Jenkins, here with python-jenkins, a real client.
        let cancel = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3", ["-c", """
            import jenkins, sys, time
            j = jenkins.Jenkins(sys.argv[1], sys.argv[2], sys.argv[3])
            for _ in range(100):
                items = j.get_queue_info()
                if items:
                    j.cancel_queue(items[0]["id"]); break
                time.sleep(0.05)
            else:
                sys.exit("nothing queued")
            """, emulator.url.absoluteString, emulator.user, emulator.token])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        build.waitUntilExit()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(build.terminationStatus == 5)
        #expect(message.contains("was cancelled before it started"))
    }
}
