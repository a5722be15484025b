import CutoverTesting
import Foundation

/// Instance fleets for real: moto holds the ALB (a rule per sport, the Frontend's listener) and EC2
/// instances; the hosts are this machine (Ansible's local connection), each a directory and a port, and
/// the playbooks install and start Tests/Support/ansible/app on them, so health and smoke checks hit a
/// real HTTP service on loopback.
final class FleetScenario: @unchecked Sendable {
    let testbed: AWSTestbed
    let seeded: [String: Any]
    let directory: URL
    let config: String
    let artifact: String
    var ports: [Int] = []
    static let sports = ["football", "tennis"]
    static let python = Subprocess.which("python3") ?? "/usr/bin/python3"

    /// `hosts(sport)` gives each sport's extra inventory lines (besides two good local hosts). The Frontend's
    /// hosts are found by tags; its connection (local, this Python) comes from the config's `ansible:` unless
    /// `frontendConnection` is false. `webWeights` is the blue/green split of its listener.
    init(extraHosts: [String: [String]] = [:], frontendInstances: [[String: Any]] = [], frontendPlaybook: String? = nil,
         frontendConnection: Bool = true, webWeights: (blue: Int, green: Int) = (100, 0)) throws {
        testbed = try AWSTestbed()
        directory = try Paths.temporaryDirectory("fleet")
        artifact = directory.appendingPathComponent("app.tar.gz").path
        let made = try Subprocess.run(Self.python, [Paths.repo("Tests/Support/ansible/make_artifact.py"), artifact, "--version", "build-1"])
        guard made.status == 0 else { throw ReadyProcess.StartError(message: "make_artifact failed: \(made.stderr)") }
        var rules: [[String: Any]] = []
        for (index, sport) in Self.sports.enumerated() {
            rules.append(["priority": 10 + index, "path": "/feeds/\(sport)/*", "blue": "stg-fn-\(sport)-blue", "green": "stg-fn-\(sport)-green", "green_weight": 0])
        }
        seeded = try testbed.seed([
            "albs": [
                ["name": "feeds", "listener": ["port": 80, "default": ["fixed_response": ["status": "404", "body": "no", "content_type": "text/plain"]], "rules": rules]],
                ["name": "web", "listener": ["port": 80, "default": ["blue": "stg-frontend-blue", "green": "stg-frontend-green",
                                                                      "blue_weight": webWeights.blue, "green_weight": webWeights.green]]],
            ],
            // A host that left the green set: still registered, must be deregistered by the next deploy.
            "instances": [["name": "departed", "register": ["stg-fn-football-green"]]] + frontendInstances,
        ])
        let albs = seeded["albs"] as! [String: [String: Any]]
        let inventoryDirectory = directory.appendingPathComponent("inventory")
        try FileManager.default.createDirectory(at: inventoryDirectory, withIntermediateDirectories: true)
        for (sportIndex, sport) in Self.sports.enumerated() {
            var lines = ["[green]"]
            for host in 1...2 {
                let port = try AWSTestbed.freePort()
                ports.append(port)
                lines.append("fn-\(sport)-\(host) ansible_host=127.0.0.1 target_id=10.30.\(sportIndex).\(host) ansible_connection=local ansible_python_interpreter=\(Self.python) app_port=\(port) install_root=\(directory.path)/hosts/\(sport)-\(host) service_manager=process health_retries=20")
            }
            lines += extraHosts[sport] ?? []
            lines += ["[blue]", ""]
            try lines.joined(separator: "\n").write(to: inventoryDirectory.appendingPathComponent("\(sport).ini"), atomically: true, encoding: .utf8)
        }
        config = directory.appendingPathComponent("cutover.yml").path
        try """
        version: 1
        name: spectate
        jenkins: {url: https://jenkins.example.com, folder: releases/spectate, agent: linux, approvers: [rm], source: {url: https://git.example.com/r.git, branch: main}, config: cutover.yml}
        aws: {region: eu-west-1}
        promotion: {parallel: true, steps: [100], bake: 0s, min_healthy_percent: 100, health_timeout: 20s}
        environments:
          staging:
            listeners:
              feeds: \(albs["feeds"]!["listener_arn"]!)
              web: \(albs["web"]!["listener_arn"]!)
        services:
          frontend:
            kind: instances
            listener: web
            target_groups: {blue: stg-frontend-blue, green: stg-frontend-green}
            port: 8080
        \(frontendPlaybook.map { "    playbook: \($0)" } ?? "")
        \(frontendConnection ? "    ansible: {connection: local, python_interpreter: \(Self.python)}" : "")
            vars: {database_reader_endpoint: spectate.cluster-ro.example.com}
          feed-normalizer:
            kind: instances
            sports: [\(Self.sports.joined(separator: ", "))]
            listener: feeds
            rule: {path: '/feeds/{sport}/*'}
            target_groups: {blue: 'stg-fn-{sport}-blue', green: 'stg-fn-{sport}-green'}
            inventory: 'inventory/{sport}.ini'
            vars:
              feed_providers: ['https://feeds.example.net/{sport}', "{{ lookup('pipe', 'touch \(directory.path)/pwned') }}"]
              event_management_endpoint: 'http://events.internal/$(touch \(directory.path)/pwned2)'
            smoke:
              - {path: /, status: 200, timeout: 2s}

        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    deinit {
        // Stop every service the playbooks started (they write pid files in their install roots).
        let hosts = directory.appendingPathComponent("hosts")
        for root in (try? FileManager.default.contentsOfDirectory(atPath: hosts.path)) ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: "\(hosts.path)/\(root)")) ?? [] where file.hasSuffix(".pid") {
                if let text = try? String(contentsOfFile: "\(hosts.path)/\(root)/\(file)", encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    kill(pid, SIGKILL)
                }
            }
        }
    }

    func cutover(_ arguments: String...) throws -> ProcessResult {
        try cutover(environment: [:], arguments)
    }

    /// cutover with `extra` added to its environment (secrets a child must not see, say).
    func cutover(environment extra: [String: String], _ arguments: [String]) throws -> ProcessResult {
        let environment = testbed.environment(stateDirectory: directory.appendingPathComponent("state")).merging(extra) { $1 }
        return try CLI.run(arguments + ["-c", config], environment: environment)
    }

    /// Target ids registered in a target group, read from moto.
    func targets(_ group: String) throws -> [String] {
        let groups = try testbed.dump()["target_groups"] as? [[String: Any]] ?? []
        let found = groups.first { $0["name"] as? String == group }
        return ((found?["targets"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }.sorted()
    }

    func health(_ port: Int) throws -> [String: Any]? {
        let result = try Subprocess.run("/usr/bin/curl", ["-sf", "--max-time", "2", "http://127.0.0.1:\(port)/health"])
        guard result.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }
}
