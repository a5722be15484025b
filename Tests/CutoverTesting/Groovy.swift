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
