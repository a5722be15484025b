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

    /// Options that load the cutover shared library the way Jenkins does (the Jenkinsfile's `library`
    /// step reads `<libraryPath>` under `repository`, the config repository's checkout) and run every
    /// `sh` in a real shell, so each step's cutover arguments are read back exactly.
    public static func libraryOptions(repository: String) -> [String] {
        ["--library", "cutover=\(repository)", "--shell"]
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

    /// With `--shell`: the arguments each `sh` passed to cutover, as the shell expanded them, with the
    /// stage path it ran in ("" for pipeline post).
    public var commands: [(stage: String, argv: [String])] {
        events.filter { $0["step"] as? String == "sh" && $0["argv"] != nil }.map {
            (($0["stage"] as? [String] ?? []).joined(separator: "/"), $0["argv"] as? [String] ?? [])
        }
    }

    /// `commands` as readable command lines: each argument shell-quoted only when it needs it.
    public var commandLines: [String] {
        commands.map { $0.argv.map(ShellWord.quote).joined(separator: " ") }
    }

    /// Every step call in order with its arguments (library steps, the steps they call, pipeline steps),
    /// indented by nesting: the golden call stack of a pipeline. Arguments are JSON with sorted keys.
    public var callStack: String {
        events.map { event in
            let depth = event["depth"] as? Int ?? 0
            let stage = (event["stage"] as? [String] ?? []).joined(separator: "/")
            let place = event["post"] as? String ?? "" != "" ? "\(stage.isEmpty ? "" : stage + " ")post \(event["post"] as? String ?? "")" : stage
            let args = (try? JSONSerialization.data(withJSONObject: event["args"] ?? [:], options: [.sortedKeys, .withoutEscapingSlashes]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            var line = "[\(place)] " + String(repeating: "  ", count: depth) + "\(event["step"] as? String ?? "?") \(args)"
            if let argv = event["argv"] as? [String] { line += " -> " + argv.map(ShellWord.quote).joined(separator: " ") }
            return line + "\n"
        }.joined()
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

/// POSIX shell quoting for readable command lines in assertions (the same rule as the renderer's).
enum ShellWord {
    static func quote(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,")
        if !word.isEmpty && word.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
