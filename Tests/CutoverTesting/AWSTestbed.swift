import Foundation

/// moto server on a free loopback port with the fault-injecting proxy (Tests/Support/aws/faultproxy.py)
/// in front of it, and optionally the ECS stand-in that registers tasks in target groups. cutover talks
/// to the proxy; tests seed and inspect moto directly. Everything is killed when the testbed goes.
public final class AWSTestbed: @unchecked Sendable {
    public let motoURL: URL
    public let proxyURL: URL
    private var processes: [Process] = []

    public init(ecsAgent: Bool = false) throws {
        let port = try Self.freePort()
        let moto = Process()
        moto.executableURL = URL(fileURLWithPath: Subprocess.which("moto_server") ?? "/usr/local/bin/moto_server")
        moto.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["MOTO_ECS_SERVICE_RUNNING"] = "2"  // moto's ECS reports this many running tasks per service
        moto.environment = environment
        moto.standardOutput = FileHandle.nullDevice
        moto.standardError = FileHandle.nullDevice
        try moto.run()
        processes.append(moto)
        motoURL = URL(string: "http://127.0.0.1:\(port)")!
        do {
            try Self.waitForMoto(motoURL, process: moto, port: port)
            let (proxy, url) = try ReadyProcess.start(Paths.repo("Tests/Support/aws/faultproxy.py"), ["--upstream", motoURL.absoluteString, "--port", "0"])
            processes.append(proxy)
            proxyURL = url
            if ecsAgent {
                let (agent, _) = try ReadyProcess.start(Paths.repo("Tests/Support/aws/ecs_agent.py"),
                                                        ["--endpoint", motoURL.absoluteString, "--region", "eu-west-1", "--interval", "0.1"])
                processes.append(agent)
            }
        } catch {
            // A failed init never reaches deinit: stop what did start.
            for process in processes { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            throw error
        }
    }

    private static func waitForMoto(_ url: URL, process: Process, port: Int) throws {
        let deadline = Date().addingTimeInterval(30)
        while (try? Subprocess.run("/usr/bin/curl", ["-sf", "-o", "/dev/null", "\(url.absoluteString)/moto-api/data.json"]).status) != 0 {
            guard Date() < deadline, process.isRunning else { throw ReadyProcess.StartError(message: "moto_server did not start on port \(port)") }
            usleep(100_000)
        }
    }

    deinit {
        // SIGKILL: a test runner may have blocked SIGTERM in the thread that started the process.
        for process in processes.reversed() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Environment for running the `cutover` binary against the proxy with dummy credentials.
    public func environment(stateDirectory: URL) -> [String: String] {
        ["AWS_ENDPOINT_URL": proxyURL.absoluteString, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
         "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true", "CUTOVER_STATE_DIR": stateDirectory.path]
    }

    /// Builds a scenario with seed.py (see its docstring for the spec) and returns what it built.
    public func seed(_ spec: [String: Any]) throws -> [String: Any] {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let result = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3",
                                        [Paths.repo("Tests/Support/aws/seed.py"), "--endpoint", motoURL.absoluteString, "--spec", "-"], stdin: json)
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ReadyProcess.StartError(message: "seed.py failed: \(result.stderr)")
        }
        return object
    }

    /// moto's current listeners, rules, target groups and health (seed.py --dump).
    public func dump() throws -> [String: Any] {
        let result = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3",
                                        [Paths.repo("Tests/Support/aws/seed.py"), "--endpoint", motoURL.absoluteString, "--dump"])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ReadyProcess.StartError(message: "seed.py --dump failed: \(result.stderr)")
        }
        return object
    }

    /// Replaces the proxy's fault rules (faultproxy.py's RULE format).
    public func faults(_ rules: [[String: Any]]) throws {
        try control("POST", "faults", ["rules": rules])
    }

    /// Every request the proxy passed on since the last reset.
    public func log() throws -> [[String: Any]] {
        try control("GET", "log") as? [[String: Any]] ?? []
    }

    public func resetProxy() throws { try control("POST", "reset") }

    @discardableResult
    func control(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        var arguments = ["-sS", "-X", method, "\(proxyURL.absoluteString)/__proxy/\(path)"]
        if let body {
            let json = try JSONSerialization.data(withJSONObject: body)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", String(decoding: json, as: UTF8.self)]
        }
        let result = try Subprocess.run("/usr/bin/curl", arguments)
        guard result.status == 0 else { throw ReadyProcess.StartError(message: "proxy control \(path) failed: \(result.stderr)") }
        return try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ReadyProcess.StartError(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A helper server that prints `READY <url>` once it listens (the emulators under Tests/Support).
public enum ReadyProcess {
    public struct StartError: Error, CustomStringConvertible {
        public var message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
    }

    public static func start(_ script: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Subprocess.which("python3") ?? "/usr/bin/python3")
        process.arguments = [script] + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("READY "), let url = URL(string: String(text.dropFirst(6)).components(separatedBy: "\n")[0]) else {
            kill(process.processIdentifier, SIGKILL)
            throw StartError(message: "\(script) did not start: \(text)")
        }
        return (process, url)
    }
}
