import CutoverCore
import CutoverJenkins
@testable import CutoverServer
import CutoverTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// Every log line a test's server wrote, for checking what was (and was not) logged.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    var logger: Logger {
        var logger = Logger(label: "cutover.test") { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

/// Formats like the text handler: level, message, every metadata value.
struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}

/// Records registrations instead of making them; can be told to fail or to take time.
actor FakeRegistrar: PipelineRegistrar {
    private(set) var registered: [Config] = []
    var failure: (any Error)?
    /// While closed, a registration waits inside `register` (a run in progress, as long as the test wants).
    var gateClosed = false

    func register(_ config: Config, prune: Bool) async throws -> [RegistrationStep] {
        registered.append(config)
        while gateClosed { try? await Task.sleep(for: .milliseconds(10)) }
        if let failure { throw failure }
        return []
    }

    func failing(with error: (any Error)?) { failure = error }
    func gate(closed: Bool) { gateClosed = closed }
    var count: Int { registered.count }
}

/// The tokens and secret every HTTP test uses.
enum Secrets {
    static let operate = "operate-7c1f0e5a9d3b42e8a1"
    static let read = "read-4b9e2d7f1a6c83e0d5"
    static let webhook = "hook-secret-2f8a6d1c9e"
    static var tokens: TokenSet { TokenSet([(.operate, operate), (.read, read)]) }
}

/// One server's worth of parts, wired as `cutover serve` wires them, with a fake registrar.
struct Harness {
    let directory: URL
    let configPath: String
    let registrar = FakeRegistrar()
    let reconciler: Reconciler
    let operations: OperationRegistry
    let capture = LogCapture()
    let services: ServerServices

    init(checks: [any ReadinessCheck] = [], runners: [any OperationRunner] = [], webhookSecret: String? = Secrets.webhook,
         config: String = Fixtures.minimalYAML()) throws {
        directory = try Paths.temporaryDirectory("serve")
        configPath = directory.appendingPathComponent("cutover.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        reconciler = Reconciler(source: FileConfigSource(path: configPath), registrar: registrar, prune: false,
                                backoff: Backoff(base: .milliseconds(50), cap: .milliseconds(200)), logger: capture.logger)
        operations = OperationRegistry(runners: runners)
        services = ServerServices(tokens: Secrets.tokens, webhooks: WebhookVerifier(secret: webhookSecret), reconciler: reconciler,
                                  readiness: Readiness(checks: checks, timeout: .milliseconds(500)), operations: operations,
                                  logger: capture.logger, reconcileWait: .seconds(5))
    }

    var app: some ApplicationProtocol {
        CutoverServerApp.buildApplication(services, host: "127.0.0.1", port: 0)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}

/// The two ways HummingbirdTesting runs one test body: in-process and over a real socket.
enum Transport: String, CaseIterable, CustomStringConvertible, Sendable {
    case router, live
    var setup: TestingSetup { self == .router ? .router : .live }
    var description: String { rawValue }
}

/// A decoded error body, or nil when the body is not the API's error shape.
struct ErrorBody: Decodable, Equatable {
    struct Inner: Decodable, Equatable {
        var code: String
        var message: String
    }
    var error: Inner

    static func decode(_ response: TestResponse) -> Inner? {
        try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)).error
    }
}

extension TestResponse {
    var json: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
    }
    var text: String { String(buffer: body) }
}

func bearer(_ token: String) -> HTTPFields {
    [.authorization: "Bearer \(token)"]
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held. The
/// bound is generous on purpose: in the full suite, tests that block threads can starve this process's
/// task pool for a minute or more, and a passing condition returns at once anyway.
func eventually(timeout: Duration = .seconds(180), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
