import Foundation

/// The Jenkins emulator (Tests/Support/jenkins/emulator.py) on a free loopback port, for one test.
/// Its fidelity is proven separately by python-jenkins and jenkins-job-builder (test_emulator.py).
public final class JenkinsEmulator: @unchecked Sendable {
    public let url: URL
    public let user = "admin"  // as passed to the emulator in init
    public let token = "cutover-test-token"
    private let process: Process

    /// Starts the emulator and waits for its `READY <url>` line.
    public init(arguments: [String] = []) throws {
        (process, url) = try ReadyProcess.start(Paths.repo("Tests/Support/jenkins/emulator.py"),
                                                ["--port", "0", "--user", "admin:cutover-test-token"] + arguments)
    }

    deinit {
        // SIGKILL: a test runner may have blocked SIGTERM in the thread that started the process.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public struct EmulatorError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Environment for running the `cutover` binary against this emulator.
    public var environment: [String: String] {
        ["JENKINS_URL": url.absoluteString, "JENKINS_USER": user, "JENKINS_TOKEN": token]
    }

    // MARK: control endpoints

    @discardableResult
    public func control(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        let target = url.appendingPathComponent("_emulator").appendingPathComponent(path).absoluteString
        var arguments = ["-sS", "-X", method, target]
        if let body {
            let json = try JSONSerialization.data(withJSONObject: body)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", String(decoding: json, as: UTF8.self)]
        }
        let result = try Subprocess.run(Subprocess.which("curl") ?? "/usr/bin/curl", arguments)
        guard result.status == 0 else { throw EmulatorError(message: "control \(path) failed: \(result.stderr)") }
        return try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Requests since the last reset: method, path (with query), status.
    public func requests() throws -> [(method: String, path: String, status: Int)] {
        let list = try control("GET", "requests") as? [[String: Any]] ?? []
        return list.map { ($0["method"] as? String ?? "", $0["path"] as? String ?? "", $0["status"] as? Int ?? 0) }
    }

    public func reset() throws { try control("POST", "reset") }

    /// Every item: full name to (kind, config.xml).
    public func items() throws -> [String: (kind: String, config: String)] {
        let object = try control("GET", "items") as? [String: [String: Any]] ?? [:]
        return object.mapValues { ($0["kind"] as? String ?? "", $0["config"] as? String ?? "") }
    }

    public func seed(_ items: [String: String]) throws { try control("POST", "seed", items) }
    public func expireCrumbs() throws { try control("POST", "expire-crumbs") }
    public func fault(status: Int, count: Int, paths: String = "", delayMilliseconds: Int = 0, close: Bool = false) throws {
        try control("POST", "faults", ["status": status, "count": count, "paths": paths, "delay_ms": delayMilliseconds, "close": close])
    }
    public func nextResult(job: String, result: String, duration: Double = 0.2) throws {
        try control("POST", "next-result", ["job": job, "result": result, "duration": duration])
    }
    public func configure(queueDelay: Double, lineInterval: Double) throws {
        try control("POST", "config", ["queue_delay": queueDelay, "line_interval": lineInterval])
    }
}
