import CutoverTesting
import Foundation

/// The spectate system in moto: three ALBs (web: a listener default action; events: ECS; feeds: a
/// fixed-response default and one rule per sport), instances in every instance group, the release's
/// instance groups tagged as `cutover deploy` leaves them. Writes a config pointing at it.
struct Scenario {
    let testbed: AWSTestbed
    let seeded: [String: Any]
    let directory: URL
    let config: String
    static let release = "r2"

    /// Extra environment for every cutover run (e.g. `CUTOVER_STATE=s3://…`).
    var environment: [String: String] = [:]

    init(steps: [Int] = [10, 50, 100], bake: String = "0s", ecsAgent: Bool = true, tagRelease: Bool = true, stoppedGreen: Bool = false,
         provisioned: Bool = true, database: Bool = false) throws {
        testbed = try AWSTestbed(ecsAgent: ecsAgent)
        directory = try Paths.temporaryDirectory("aws")
        let releaseTags: [String: Any] = tagRelease ? ["tags": ["cutover:release": Self.release, "cutover:color": "green"]] : [:]
        let spec: [String: Any] = [
            "target_groups": [
                "stg-frontend-green": releaseTags, "stg-fn-football-green": releaseTags, "stg-fn-tennis-green": releaseTags,
            ],
            "albs": [
                ["name": "web", "listener": ["port": 80, "default": [
                    "blue": "stg-frontend-blue", "green": "stg-frontend-green", "green_weight": 0,
                    "stickiness": ["enabled": true, "duration": 600]]]],
                ["name": "events", "listener": ["port": 80, "default": ["blue": "stg-events-blue"]]],
                ["name": "feeds", "listener": [
                    "port": 80,
                    "default": ["fixed_response": ["status": "404", "body": "no such feed", "content_type": "text/plain"]],
                    "rules": [
                        ["priority": 10, "path": "/feeds/football/*", "blue": "stg-fn-football-blue", "green": "stg-fn-football-green", "green_weight": 0],
                        ["priority": 20, "path": "/feeds/tennis/*", "blue": "stg-fn-tennis-blue", "green": "stg-fn-tennis-green", "green_weight": 0],
                        ["priority": 99, "path": "/maintenance/*", "fixed_response": ["status": "503", "body": "later", "content_type": "text/plain"]],
                    ]]],
            ],
            "instances": [
                ["name": "green-1", "register": ["stg-frontend-green", "stg-fn-football-green", "stg-fn-tennis-green"],
                 "state": stoppedGreen ? "stopped" : "running"],
                ["name": "blue-1", "register": ["stg-frontend-blue", "stg-fn-football-blue", "stg-fn-tennis-blue"]],
            ],
            "ecs": ["cluster": "spectate-staging", "service": "event-management", "family": "spectate-staging-event-management",
                    "container": "event-management", "port": 8080, "image": "repo/events:1.0", "desired": 2, "target_group": "stg-events-blue"],
        ]
        seeded = try testbed.seed(spec)
        let albs = seeded["albs"] as! [String: [String: Any]]
        func listener(_ name: String) -> String { albs[name]!["listener_arn"] as! String }
        config = directory.appendingPathComponent("cutover.yml").path
        try """
        version: 1
        name: spectate
        jenkins:
          url: https://jenkins.example.com
          folder: releases/spectate
          agent: linux
          approvers: [release-managers]
          source: {url: https://git.example.com/release.git, branch: main}
          config: cutover.yml
        aws:
          region: eu-west-1
        \(database ? "database: {cluster: spectate-staging, migrations: migrations, credential: db-url, repository: {url: https://git.example.com/schema.git, branch: main}}" : "")
        promotion:
          parallel: true
          steps: [\(steps.map(String.init).joined(separator: ", "))]
          bake: \(bake)
          min_healthy_percent: 100
          health_timeout: 20s
        environments:
          staging:
            listeners:
              web: \(listener("web"))
              events: \(listener("events"))
              feeds: \(listener("feeds"))
        services:
          frontend:
            kind: instances
            listener: web
            target_groups: {blue: stg-frontend-blue, green: stg-frontend-green}
          event-management:
            kind: ecs
            listener: events
            target_groups: {blue: stg-events-blue}
            cluster: spectate-staging
            service: event-management
            task_family: spectate-staging-event-management
            container: {name: event-management, port: 8080}
          feed-normalizer:
            kind: instances
            sports: [football, tennis]
            listener: feeds
            rule: {path: '/feeds/{sport}/*'}
            target_groups: {blue: 'stg-fn-{sport}-blue', green: 'stg-fn-{sport}-green'}

        """.write(toFile: config, atomically: true, encoding: .utf8)
        if provisioned {
            // The ECS unit's release exists only once provisioned (the instance groups are seeded tagged).
            let result = try cutover("provision", "--service", "event-management", "--image", "repo/events:2.0", "--release", Self.release)
            guard result.status == 0 else { throw ReadyProcess.StartError(message: "provision failed: \(result.stderr)") }
            try testbed.resetProxy()
        }
    }

    var stateDirectory: URL { directory.appendingPathComponent("state") }

    var runEnvironment: [String: String] {
        testbed.environment(stateDirectory: stateDirectory).merging(environment) { _, extra in extra }
    }

    func cutover(_ arguments: String...) throws -> ProcessResult {
        try CLI.run(arguments + ["-c", config], environment: runEnvironment)
    }

    /// Starts cutover without waiting for it (to kill it, or to hold the lock while another runs).
    /// With `output`, its stdout and stderr go to `<output>.out` and `<output>.err`.
    func start(_ arguments: String..., output: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = arguments + ["-c", config]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in runEnvironment { environment[key] = value }
        process.environment = environment
        if let output {
            for suffix in ["out", "err"] { FileManager.default.createFile(atPath: output.path + "." + suffix, contents: nil) }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path + ".out"))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path + ".err"))
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Creates an S3 bucket in moto and points every later cutover run's state at it.
    mutating func shareStateInS3(bucket: String = "release-state", prefix: String = "cutover") throws {
        let result = try Subprocess.run("/usr/bin/curl", ["-sf", "-X", "PUT", "\(testbed.motoURL.absoluteString)/\(bucket)", "--data-binary",
                                                          "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"])
        guard result.status == 0 else { throw ReadyProcess.StartError(message: "cannot create bucket \(bucket): \(result.stderr)") }
        environment["CUTOVER_STATE"] = "s3://\(bucket)/\(prefix)"
    }

    /// The keys under `prefix` in moto's bucket (read without cutover).
    func s3Keys(bucket: String = "release-state") throws -> [String] {
        let result = try Subprocess.run("/usr/bin/curl", ["-sf", "\(testbed.motoURL.absoluteString)/\(bucket)?list-type=2"])
        return result.stdout.components(separatedBy: "<Key>").dropFirst().compactMap { $0.components(separatedBy: "</Key>").first }
    }

    /// Waits, bounded, until `condition` holds; false when `seconds` passed first.
    func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    /// Each route's forward split as `target group name → weight`, read from moto (not through cutover).
    func splits() throws -> [String: [String: Int]] {
        let dump = try testbed.dump()
        var result: [String: [String: Int]] = [:]
        let names = (dump["target_groups"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
            $0[$1["arn"] as? String ?? ""] = $1["name"] as? String
        }
        let listeners = (dump["load_balancers"] as? [[String: Any]] ?? []).flatMap { $0["listeners"] as? [[String: Any]] ?? [] }
        for listener in listeners {
            let arn = listener["arn"] as? String ?? ""
            result[arn] = Self.split(listener["default_actions"], names)
            for rule in listener["rules"] as? [[String: Any]] ?? [] where (rule["is_default"] as? Bool) != true {
                result[rule["arn"] as? String ?? ""] = Self.split(rule["actions"], names)
            }
        }
        return result.filter { !$0.value.isEmpty }
    }

    static func split(_ actions: Any?, _ names: [String: String]) -> [String: Int] {
        var split: [String: Int] = [:]
        for action in actions as? [[String: Any]] ?? [] {
            let groups = (action["ForwardConfig"] as? [String: Any])?["TargetGroups"] as? [[String: Any]] ?? []
            for group in groups {
                split[names[group["TargetGroupArn"] as? String ?? ""] ?? "?"] = group["Weight"] as? Int ?? 1
            }
        }
        return split
    }

    /// No route has traffic on both of its groups.
    func noneSplit() throws -> Bool {
        try splits().values.allSatisfy { split in split.values.filter { $0 > 0 }.count <= 1 }
    }
}
