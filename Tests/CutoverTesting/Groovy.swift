import Foundation

/// Runs Debian's Groovy 2.4, the line Jenkins runs pipelines on.
public enum Groovy {
    public static var executable: String? { Subprocess.which("groovy") }

    public static var environment: [String: String] {
        var env: [String: String] = [:]
        if ProcessInfo.processInfo.environment["JAVA_HOME"] == nil {
            for candidate in ["/usr/lib/jvm/default-java", "/usr/lib/jvm/java-17-openjdk-amd64"]
            where FileManager.default.fileExists(atPath: candidate + "/bin/java") {
                env["JAVA_HOME"] = candidate
                break
            }
        }
        return env
    }

    public static func run(_ arguments: String...) throws -> ProcessResult {
        guard let groovy = executable else {
            return ProcessResult(status: 127, stdout: "", stderr: "groovy not found: run scripts/setup (installs Debian's groovy)")
        }
        return try Subprocess.run(groovy, arguments, environment: environment)
    }
}

/// The declarative-pipeline harness (Tests/Support/groovy/harness.groovy): real Groovy 2.4 compiles
/// each Jenkinsfile, stubs the DSL and steps, checks the declarative rules and records every step.
public enum PipelineHarness {
    /// One harness run: a Jenkinsfile and the options to run it with.
    public struct Run: Sendable {
        public var id: String
        public var arguments: [String]

        public init(id: String, jenkinsfile: String, options: [String] = []) {
            self.id = id
            self.arguments = options + [jenkinsfile]
        }
    }

    /// Runs every `run` in one JVM (start-up is most of the cost) and returns the result object per id.
    public static func run(_ runs: [Run]) throws -> [String: [String: Any]] {
        let dir = try Paths.temporaryDirectory("harness")
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = runs.map { ["id": $0.id, "args": $0.arguments] as [String: Any] }
        let specFile = dir.appendingPathComponent("runs.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
        guard let groovy = Groovy.executable else {
            throw HarnessError(message: "groovy not found: run scripts/setup (installs Debian's groovy)")
        }
        var environment = Groovy.environment
        environment["JAVA_OPTS"] = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        let result = try Subprocess.run(groovy, [Paths.repo("Tests/Support/groovy/harness.groovy"), "--runs", specFile.path],
                                        environment: environment)
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]] else {
            throw HarnessError(message: "harness exited \(result.status) without a result: \(result.stderr.suffix(2000))")
        }
        return object
    }

    public struct HarnessError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}

/// Typed access to one harness result.
/// Read-only after creation: safe to share between concurrently running tests.
public struct PipelineRun: @unchecked Sendable {
    public let raw: [String: Any]

    public init(_ raw: [String: Any]) {
        self.raw = raw
    }

    public var valid: Bool { raw["valid"] as? Bool ?? false }
    public var errors: [String] { raw["errors"] as? [String] ?? [] }
    public var result: String? { raw["result"] as? String }
    public var events: [[String: Any]] { raw["events"] as? [[String: Any]] ?? [] }
    public var stages: [[String: Any]] { raw["stages"] as? [[String: Any]] ?? [] }

    /// The `sh` scripts run, in order, with the stage path they ran in ("" for pipeline post).
    public var shellSteps: [(stage: String, script: String)] {
        events.filter { $0["step"] as? String == "sh" }.map {
            (($0["stage"] as? [String] ?? []).joined(separator: "/"), $0["script"] as? String ?? "")
        }
    }

    public func events(_ step: String) -> [[String: Any]] {
        events.filter { $0["step"] as? String == step }
    }

    public func stage(_ name: String) -> [String: Any]? {
        func find(_ stages: [[String: Any]]) -> [String: Any]? {
            for stage in stages {
                if stage["name"] as? String == name { return stage }
                if let found = find(stage["children"] as? [[String: Any]] ?? []) { return found }
            }
            return nil
        }
        return find(stages)
    }
}
