import CutoverHTTP
import CutoverTesting
import Foundation

/// A real `cutover serve` process on a free loopback port (`--listen 127.0.0.1:0`), with JSON logs
/// captured from stderr; the URL is read from its `listening` line. Killed when dropped.
public final class ServeProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var url: URL!
    private let lock = NSLock()
    private var buffer = Data()
    public let transport = AsyncHTTPTransport()

    public struct StartError: Error, CustomStringConvertible { public var description: String }

    public init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--log-format", "json"] + arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["CUTOVER_CONFIG", "CUTOVER_ENV", "CUTOVER_STATE", "CUTOVER_API_TOKEN", "CUTOVER_READ_TOKEN", "CUTOVER_WEBHOOK_SECRET"] { env[key] = nil }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.buffer.append(data) }
        }
        try process.run()
        let end = Date().addingTimeInterval(120)
        while Date() < end, process.isRunning {
            if let line = lines.first(where: { $0["message"] as? String == "listening" }), let text = line["url"] as? String {
                url = URL(string: text)
                return
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGKILL)
        throw StartError(description: "cutover serve did not start: \(log)")
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Everything written to stderr so far.
    public var log: String { lock.withLock { String(decoding: buffer, as: UTF8.self) } }

    /// Each stderr line parsed as JSON; a line that is not a JSON object is returned as `["unparsed": line]`.
    public var lines: [[String: Any]] {
        log.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["unparsed": String(line)]
        }
    }

    public func request(_ method: String, _ path: String, token: String? = nil, body: Data? = nil, timeout: Duration = .seconds(10)) async throws -> HTTPResponse {
        let headers = token.map { [("Authorization", "Bearer \($0)")] } ?? []
        return try await transport.send(HTTPRequest(method: method, url: URL(string: path, relativeTo: url)!.absoluteURL, headers: headers, body: body),
                                        timeout: timeout)
    }

    public func json(_ method: String, _ path: String, token: String? = nil) async throws -> [String: Any] {
        let response = try await request(method, path, token: token)
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
    }

    /// Sends `signal` and waits (at most `timeout`) for the exit; returns the status and how long it took.
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 15) -> (status: Int32?, seconds: Double) {
        let started = Date()
        kill(process.processIdentifier, signal)
        while process.isRunning, Date().timeIntervalSince(started) < timeout { Thread.sleep(forTimeInterval: 0.02) }
        let seconds = Date().timeIntervalSince(started)
        guard !process.isRunning else { return (nil, seconds) }
        return (process.terminationStatus, seconds)
    }
}
