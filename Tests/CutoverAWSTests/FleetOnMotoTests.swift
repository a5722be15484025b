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
        // The connection (local) comes from the config; tags say only where a host is and its port.
        func host(_ name: String, _ port: Int) -> [String: Any] {
            ["name": name, "tags": [
                "cutover:service": "frontend", "cutover:color": "green", "ansible:ansible_host": "127.0.0.1", "ansible:app_port": String(port),
            ]]
        }
        let playbook = directory.appendingPathComponent("own.yml").path
        let scenario = try FleetScenario(frontendInstances: [
            host("fe-1", portA), host("fe-2", portB),
            ["name": "fe-old", "tags": ["cutover:service": "frontend", "cutover:color": "green"], "state": "stopped"],
        ], frontendPlaybook: playbook)
        // The user's own playbook: on one host the instance "dies" during the second deploy (stopped in
        // moto), after the first put both hosts in the target group.
        let instances = scenario.seeded["instances"] as! [String: [String: Any]]
        let stopped = instances["fe-2"]!["id"] as! String, old = instances["fe-old"]!["id"] as! String
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
              when: inventory_hostname == '\(stopped)' and cutover_release == 'r2'

        """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let first = try scenario.cutover("deploy", "--service", "frontend", "--release", "r1", "--artifact", scenario.artifact, "--timeout", "3")
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(try scenario.targets("stg-frontend-green").count == 2)
        let deploy = try scenario.cutover("deploy", "--service", "frontend", "--release", "r2", "--artifact", scenario.artifact, "--timeout", "3")
        #expect(deploy.status == 1)
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
            ["name": "fe-1", "tags": ["cutover:service": "frontend", "cutover:color": "green", "ansible:ansible_host": "127.0.0.1"]],
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

    /// Whoever may tag an instance must not choose how Ansible reaches it: with `ansible_connection=ssh` and
    /// a ProxyCommand, ssh would run the command on the Jenkins agent. The config sets no connection here,
    /// so without the allow-list the tags alone would decide it. Refused by name, before Ansible runs.
    @Test func aHostileHostTagIsRefusedBeforeAnsibleRuns() throws {
        let directory = try Paths.temporaryDirectory("fleet-hostile-tag")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Ansible splits ssh args like a shell, so the quotes keep the ProxyCommand whole: without the
        // allow-list, ssh runs `touch` on this machine (checked by disabling the refusal).
        let proxied = directory.appendingPathComponent("proxied").path
        let scenario = try FleetScenario(frontendInstances: [
            ["name": "fe-1", "tags": ["cutover:service": "frontend", "cutover:color": "green", "ansible:ansible_host": "127.0.0.1",
                                      "ansible:ansible_connection": "ssh", "ansible:ansible_ssh_common_args": "-o 'ProxyCommand=touch \(proxied)'"]],
        ], frontendConnection: false)
        let instance = (scenario.seeded["instances"] as! [String: [String: Any]])["fe-1"]!["id"] as! String
        let deploy = try scenario.cutover("deploy", "--service", "frontend", "--release", "r1", "--artifact", scenario.artifact, "--timeout", "3")
        #expect(deploy.status == 1, "\(deploy.stdout)\(deploy.stderr)")
        #expect(deploy.stderr.contains("frontend [deploy.host-tag]: frontend: refused 2 EC2 tag(s) before running Ansible:"), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("\(instance): tag 'ansible:ansible_connection' is not a host variable cutover takes from tags"), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("\(instance): tag 'ansible:ansible_ssh_common_args' is not a host variable cutover takes from tags"), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("hint: remove the tags; tags may set only ansible_host, ansible_port, ansible_user, app_port, app_user, "), "\(deploy.stderr)")
        // Ansible never ran: no play started, and ssh never ran the ProxyCommand.
        #expect(!deploy.stderr.contains("PLAY ["), "\(deploy.stderr)")
        #expect(!FileManager.default.fileExists(atPath: proxied), "the tag's ProxyCommand ran on the agent")
        #expect(try scenario.targets("stg-frontend-green").isEmpty)
    }

    /// Ansible and ansible-inventory (whose inventory may be a script) get PATH, HOME, locale and ANSIBLE_*,
    /// never the AWS keys, Jenkins token or database URL cutover itself holds.
    @Test func secretsInCutoversEnvironmentDoNotReachThePlaybook() throws {
        let directory = try Paths.temporaryDirectory("fleet-env")
        defer { try? FileManager.default.removeItem(at: directory) }
        let playbook = directory.appendingPathComponent("own.yml").path
        let dump = directory.appendingPathComponent("env.json").path
        let scenario = try FleetScenario(frontendInstances: [
            ["name": "fe-1", "tags": ["cutover:service": "frontend", "cutover:color": "green", "ansible:ansible_host": "127.0.0.1"]],
        ], frontendPlaybook: playbook)
        try """
        - hosts: green
          gather_facts: false
          tasks:
            - name: dump the environment the task sees
              ansible.builtin.command:
                argv: [\(FleetScenario.python), -c, "import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], 'w'))", \(dump)]

        """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let secrets = ["AWS_SECRET_ACCESS_KEY": "aws-secret-value", "AWS_SESSION_TOKEN": "aws-session-value",
                       "JENKINS_TOKEN": "jenkins-token-value", "CUTOVER_TEST_SECRET": "cutover-secret-value",
                       "DATABASE_URL": "postgresql://u:db-password-value@127.0.0.1:5432/app", "ANSIBLE_CUTOVER_PROBE": "seen", "LC_ALL": "C.UTF-8"]
        let deploy = try scenario.cutover(environment: secrets, ["deploy", "--service", "frontend", "--release", "r1",
                                                                 "--artifact", scenario.artifact, "--timeout", "3"])
        let text = try #require(try? String(contentsOfFile: dump, encoding: .utf8), "the playbook never ran: \(deploy.stderr)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        for name in ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "JENKINS_TOKEN", "CUTOVER_TEST_SECRET", "DATABASE_URL"] {
            #expect(seen[name] == nil, "\(name) reached the playbook")
        }
        #expect(!text.contains("-value"), "a secret value reached the playbook")
        #expect(seen["PATH"] != nil && seen["HOME"] != nil && seen["LC_ALL"] == "C.UTF-8" && seen["ANSIBLE_CUTOVER_PROBE"] == "seen",
                "what Ansible needs still arrives: \(seen.keys.sorted())")
    }

    /// In a split both colours take traffic: deploying onto either would restart hosts serving requests.
    @Test func deployRefusesAColourThatTakesTraffic() throws {
        let directory = try Paths.temporaryDirectory("fleet-live")
        defer { try? FileManager.default.removeItem(at: directory) }
        let playbook = directory.appendingPathComponent("own.yml").path
        let ran = directory.appendingPathComponent("ran").path
        let scenario = try FleetScenario(frontendInstances: [
            ["name": "fe-1", "tags": ["cutover:service": "frontend", "cutover:color": "green", "ansible:ansible_host": "127.0.0.1"]],
        ], frontendPlaybook: playbook, webWeights: (blue: 90, green: 10))
        try """
        - hosts: all
          gather_facts: false
          tasks:
            - ansible.builtin.file: {path: \(ran), state: touch}

        """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let listener = (scenario.seeded["albs"] as! [String: [String: Any]])["web"]!["listener_arn"] as! String
        let deploy = try scenario.cutover("deploy", "--service", "frontend", "--release", "r1", "--artifact", scenario.artifact, "--timeout", "3")
        #expect(deploy.status == 1, "\(deploy.stdout)\(deploy.stderr)")
        #expect(deploy.stderr.contains("frontend [release.split]: frontend: both colours take traffic on listener \(listener) (blue 90% / green 10%)"), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("hint: finish the promotion in progress (`cutover promote`) or roll it back first"), "\(deploy.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ran), "Ansible ran")
        #expect(!deploy.stderr.contains("PLAY ["), "\(deploy.stderr)")
        #expect(try scenario.targets("stg-frontend-green").isEmpty)
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
