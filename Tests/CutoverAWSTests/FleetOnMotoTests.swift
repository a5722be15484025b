import CutoverTesting
import Foundation
import Testing

/// `cutover deploy` and `cutover verify` with real ansible-playbook onto local hosts, against moto.
@Suite struct FleetOnMotoTests {
    @Test func deploysEverySportRegistersVerifiesAndConverges() throws {
        let scenario = try FleetScenario()
        let deploy = try scenario.cutover("deploy", "--service", "feed-normalizer", "--release", "r1", "--artifact", scenario.artifact)
        #expect(deploy.status == 0, "\(deploy.stdout)\(deploy.stderr)")
        #expect(deploy.stderr.contains("[feed-normalizer/football] TASK [Unpack the artifact]"), "Ansible's output streams with the unit as prefix")
        for (index, port) in scenario.ports.enumerated() {
            let health = try #require(try scenario.health(port))
            #expect(health["release"] as? String == "r1")
            #expect(health["sport"] as? String == FleetScenario.sports[index / 2])
        }
        // Exactly the green hosts: the departed instance was deregistered.
        #expect(try scenario.targets("stg-fn-football-green") == ["10.30.0.1", "10.30.0.2"])
        #expect(try scenario.targets("stg-fn-tennis-green") == ["10.30.1.1", "10.30.1.2"])
        // Hostile variable values arrived as data: nothing ran, the text is in the config.
        #expect(!FileManager.default.fileExists(atPath: scenario.directory.appendingPathComponent("pwned").path))
        #expect(!FileManager.default.fileExists(atPath: scenario.directory.appendingPathComponent("pwned2").path))
        let written = try String(contentsOfFile: scenario.directory.path + "/hosts/football-1/current/cutover.json", encoding: .utf8)
        #expect(written.contains("lookup('pipe'") && written.contains("$(touch"))

        let verify = try scenario.cutover("verify", "--service", "feed-normalizer", "--release", "r1")
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("[OK] 127.0.0.1:\(scenario.ports[0]) reports release r1"))
        #expect(verify.stdout.contains("[OK] smoke GET / -> 200"))
        #expect(try scenario.cutover("verify", "--service", "feed-normalizer", "--release", "r0").status == 6)

        let again = try scenario.cutover("deploy", "--service", "feed-normalizer", "--sport", "tennis", "--release", "r1", "--artifact", scenario.artifact)
        #expect(again.status == 0)
        #expect(again.stdout.contains("fn-tennis-1 ok=8 changed=0"), "a rerun converges: \(again.stdout)")
        #expect(!again.stdout.contains("registered"), "and registers nothing")
        // The release is ready to promote: its groups are tagged and healthy.
        #expect(try scenario.cutover("promote", "--service", "feed-normalizer", "--release", "r1").status == 0)
    }

    @Test func aFailingAndAnUnreachableHostFailTheirSportByName() throws {
        let closed = try AWSTestbed.freePort()
        let scenario = try FleetScenario(extraHosts: [
            "tennis": ["fn-tennis-broken ansible_host=127.0.0.1 target_id=10.30.1.9 ansible_connection=local ansible_python_interpreter=\(FleetScenario.python) app_port=1 install_root=/dev/null/nowhere service_manager=process"],
            "football": ["fn-football-gone ansible_host=127.0.0.1 ansible_port=\(closed) ansible_connection=ssh target_id=10.30.0.9 app_port=2"],
        ])
        let deploy = try scenario.cutover("deploy", "--service", "feed-normalizer", "--release", "r1", "--artifact", scenario.artifact)
        #expect(deploy.status == 1)
        #expect(deploy.stderr.contains("2 of 2 units failed"), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("feed-normalizer/tennis: the playbook failed on 1 of 3 hosts:\n  fn-tennis-broken failed at \"Create the release directory\""), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("fn-football-gone unreachable"))
        // Nothing was registered for a sport whose playbook failed.
        #expect(try scenario.targets("stg-fn-tennis-green").isEmpty)
    }

    @Test func hostsFoundByTagsAndAStoppedInstanceFailsTheHealthWait() throws {
        let portA = try AWSTestbed.freePort(), portB = try AWSTestbed.freePort()
        let directory = try Paths.temporaryDirectory("fleet-ec2")
        func host(_ name: String, _ port: Int, stop: Bool) -> [String: Any] {
            ["name": name, "tags": [
                "cutover:service": "frontend", "cutover:color": "green", "ansible:ansible_connection": "local",
                "ansible:ansible_host": "127.0.0.1", "ansible:app_port": String(port), "ansible:stop_me": stop ? "yes" : "no",
            ]]
        }
        let playbook = directory.appendingPathComponent("own.yml").path
        let scenario = try FleetScenario(frontendInstances: [
            host("fe-1", portA, stop: false), host("fe-2", portB, stop: true),
            ["name": "fe-old", "tags": ["cutover:service": "frontend", "cutover:color": "green"], "state": "stopped"],
        ], frontendPlaybook: playbook)
        // The user's own playbook: on one host the instance "dies" during the second deploy (stopped in
        // moto), after the first put both hosts in the target group.
        try """
        - hosts: green
          gather_facts: false
          tasks:
            - name: the instance dies during the deploy
              ansible.builtin.uri:
                url: \(scenario.testbed.motoURL.absoluteString)/
                method: POST
                body_format: form-urlencoded
                body: {Action: StopInstances, InstanceId.1: "{{ inventory_hostname }}", Version: "2016-11-15"}
                headers: {Authorization: "AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=0"}
              when: stop_me == 'yes' and cutover_release == 'r2'

        """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let first = try scenario.cutover("deploy", "--service", "frontend", "--release", "r1", "--artifact", scenario.artifact, "--timeout", "3")
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(try scenario.targets("stg-frontend-green").count == 2)
        let deploy = try scenario.cutover("deploy", "--service", "frontend", "--release", "r2", "--artifact", scenario.artifact, "--timeout", "3")
        #expect(deploy.status == 1)
        let instances = scenario.seeded["instances"] as! [String: [String: Any]]
        let stopped = instances["fe-2"]!["id"] as! String, old = instances["fe-old"]!["id"] as! String
        #expect(deploy.stderr.contains("onto green: "), "\(deploy.stderr)")
        #expect(!deploy.stderr.contains(old), "only running instances are hosts")
        #expect(deploy.stderr.contains("1 of 2 targets healthy in stg-frontend-green after 3s"), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("\(stopped):\(portB) unused (Target.InvalidState)"), "\(deploy.stderr)")
    }

    /// A Jenkins abort sends SIGTERM to cutover; Ansible runs in a process group of its own and would
    /// never hear of it. cutover passes it on, so nothing keeps deploying after the step is gone.
    @Test func aSignalStopsThePlaybookItIsRunning() throws {
        let directory = try Paths.temporaryDirectory("fleet-signal")
        defer { try? FileManager.default.removeItem(at: directory) }
        let playbook = directory.appendingPathComponent("own.yml").path
        let pidFile = directory.appendingPathComponent("task.pid").path
        let scenario = try FleetScenario(frontendInstances: [
            ["name": "fe-1", "tags": ["cutover:service": "frontend", "cutover:color": "green", "ansible:ansible_connection": "local",
                                      "ansible:ansible_host": "127.0.0.1", "ansible:ansible_python_interpreter": FleetScenario.python]],
        ], frontendPlaybook: playbook)
        try """
        - hosts: green
          gather_facts: false
          tasks:
            - name: a task that outlives any step
              ansible.builtin.shell: echo $$ > \(pidFile).tmp && mv \(pidFile).tmp \(pidFile) && exec sleep 300

        """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let stderrPath = directory.appendingPathComponent("stderr").path
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let cutover = Process()
        cutover.executableURL = URL(fileURLWithPath: Paths.binary)
        cutover.arguments = ["deploy", "--service", "frontend", "--release", "r1", "--artifact", scenario.artifact, "-c", scenario.config]
        cutover.environment = ProcessInfo.processInfo.environment.merging(scenario.testbed.environment(stateDirectory: directory)) { $1 }
        cutover.standardOutput = FileHandle.nullDevice
        cutover.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try cutover.run()
        defer { if cutover.isRunning { kill(cutover.processIdentifier, SIGKILL) } }
        let started = Date()
        while !FileManager.default.fileExists(atPath: pidFile), cutover.isRunning, Date().timeIntervalSince(started) < 120 {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let early = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        let written = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
        let task = try #require(Int32(written.trimmingCharacters(in: .whitespacesAndNewlines)), "the playbook's task never started: \(early)")
        defer { kill(task, SIGKILL) }
        kill(cutover.processIdentifier, SIGTERM)
        let signalled = Date()
        while cutover.isRunning, Date().timeIntervalSince(signalled) < 60 { Thread.sleep(forTimeInterval: 0.05) }
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        try #require(!cutover.isRunning, "cutover ignored SIGTERM: \(stderr)")
        #expect(cutover.terminationReason == .exit && cutover.terminationStatus == 143, "\(cutover.terminationReason) \(cutover.terminationStatus)")
        #expect(stderr.contains("cutover: SIGTERM: stopping 1 child process group(s)"), "\(stderr)")
        // The task Ansible started is gone too (a zombie awaiting its reaper counts as gone).
        #expect(Self.isGone(task), "the playbook's task \(task) still runs after cutover exited")
        #expect(try scenario.targets("stg-frontend-green").isEmpty, "nothing was registered")
    }

    static func isGone(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.contains("State:\tZ")
    }

    @Test func dryRunUsesCheckModeAndChangesNothing() throws {
        let scenario = try FleetScenario()
        let before = try scenario.targets("stg-fn-football-green")
        let deploy = try scenario.cutover("deploy", "--service", "feed-normalizer", "--sport", "football", "--release", "r1",
                                          "--artifact", scenario.artifact, "--dry-run")
        #expect(deploy.status == 0, "\(deploy.stdout)\(deploy.stderr)")
        #expect(deploy.stderr.contains("would register 10.30.0.1:\(scenario.ports[0])"))
        #expect(deploy.stderr.contains("would deregister"))
        #expect(try scenario.targets("stg-fn-football-green") == before)
        #expect(try scenario.health(scenario.ports[0]) == nil, "check mode started nothing")
    }
}
