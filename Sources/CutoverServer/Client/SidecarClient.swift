import CutoverCore
import Foundation

/// The CLI's side of the operations API: start a step on a sidecar, follow its log, re-attach when the
/// connection drops, abort. The operation runs in the daemon whatever happens to this client.
public final class SidecarClient: Sendable {
    public let baseURL: String
    private let token: String
    private let transport: SidecarTransport
    /// How long the client keeps trying to re-attach to a running operation.
    public let reattachFor: Duration
    /// How long a refused connection is retried before the first request (a sidecar still starting).
    public let startWait: Duration

    /// `viaAsyncHTTPClient` sends even `http://` through AsyncHTTPClient (as `https://` always is), so
    /// tests prove that path on loopback too.
    public init(baseURL: String, token: String, reattachFor: Duration = .seconds(600), startWait: Duration = .seconds(60),
                viaAsyncHTTPClient: Bool = false) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.reattachFor = reattachFor
        self.startWait = startWait
        transport = viaAsyncHTTPClient ? .asyncHTTPClient(SidecarTransport.makeClient()) : .for(self.baseURL)
    }

    deinit {
        transport.shutdown()
    }

    /// Starts `step` in `environment` and follows it to its end, handing every event to `onEvent` once
    /// (by offset, across re-attaches). Returns the final summary, whose outcome holds the exit code.
    public func run(step: String, environment: String, body: Data, onStart: @Sendable (OperationSummary) -> Void = { _ in },
                    onReattach: @Sendable (String) -> Void = { _ in },
                    onEvent: @escaping @Sendable (OperationEvent) -> Void) async throws -> OperationSummary {
        let request = Request(method: "POST", url: "\(baseURL)/v1/environments/\(Self.segment(environment))/\(Self.segment(step))",
                              body: body)
        let follower = Follower(onEvent: onEvent)
        // A sidecar container may still be starting when the pod's first step runs: a refused connection
        // means nothing was sent, so it is retried for `startWait`. Any other failure before the
        // operation's id arrived cannot be retried (the step may have started) and is reported.
        let startBy = ContinuousClock.now + startWait
        while true {
            do {
                try await stream(request, follower: follower, expect: 201, onStart: onStart)
            } catch let error as SidecarError {
                throw error
            } catch {
                if follower.id == nil, SidecarTransport.isRefused(error), ContinuousClock.now < startBy {
                    try await Task.sleep(for: .milliseconds(500))
                    continue
                }
                guard follower.id != nil else {
                    throw SidecarError(code: "sidecar.unreachable", message: "cannot reach the sidecar at \(baseURL): \(error)", exitStatus: 1)
                }
            }
            break
        }
        if let end = follower.end { return end }
        return try await reattach(follower, onReattach: onReattach)
    }

    /// Asks the daemon to abort an operation (promote puts every group back; rollback finishes).
    public func abort(_ id: String) async throws {
        let response = try await send(Request(method: "POST", url: "\(baseURL)/v1/operations/\(Self.segment(id))/abort", body: nil))
        _ = try await response.collect(upTo: 1 << 16)
    }

    private func reattach(_ follower: Follower, onReattach: @Sendable (String) -> Void) async throws -> OperationSummary {
        let id = follower.id!
        let giveUp = ContinuousClock.now + reattachFor
        var pause = Duration.milliseconds(250)
        while ContinuousClock.now < giveUp {
            onReattach("connection to the sidecar lost; re-attaching to \(id) from event \(follower.next)")
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
            let request = Request(method: "GET", url: "\(baseURL)/v1/operations/\(Self.segment(id))/events?from=\(follower.next)", body: nil)
            do {
                try await stream(request, follower: follower, expect: 200, onStart: { _ in })
            } catch let error as SidecarError {
                throw error
            } catch {
                continue
            }
            if let end = follower.end { return end }
        }
        throw SidecarError(code: "sidecar.lost", message: "lost the sidecar at \(baseURL) for \(reattachFor); operation \(id) goes on there: follow it with GET /v1/operations/\(id)/events?from=\(follower.next)", exitStatus: 1)
    }

    private struct Request {
        var method: String
        var url: String
        var body: Data?
    }

    private func stream(_ request: Request, follower: Follower, expect status: UInt, onStart: @Sendable (OperationSummary) -> Void) async throws {
        let response = try await send(request)
        guard response.status == status else {
            let body = try await response.collect(upTo: 1 << 16)
            throw SidecarError.answer(status: response.status, body: body, url: request.url)
        }
        var buffer = Data()
        for try await chunk in response.body {
            buffer.append(contentsOf: chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                if let started = follower.take(line), !follower.announced {
                    follower.announced = true
                    onStart(started)
                }
                if follower.end != nil { return }
            }
        }
    }

    private func send(_ request: Request) async throws -> StreamedAnswer {
        var headers = [("Authorization", "Bearer \(token)"), ("Accept", "application/x-ndjson")]
        if request.body != nil { headers.append(("Content-Type", "application/json")) }
        return try await transport.send(method: request.method, url: request.url, headers: headers, body: request.body)
    }

    /// `text` as one URL path segment: every byte but RFC 3986's unreserved ones percent-encoded.
    static func segment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + [byte].lowercaseHex.uppercased()
            }
        }
        return out
    }

    /// What one follow has seen: the id, the next offset, the end. Used by one task at a time.
    final class Follower: @unchecked Sendable {
        let onEvent: @Sendable (OperationEvent) -> Void
        var id: String?
        var next = 0
        var end: OperationSummary?
        var announced = false
        private let decoder: JSONDecoder = {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return decoder
        }()

        init(onEvent: @escaping @Sendable (OperationEvent) -> Void) { self.onEvent = onEvent }

        /// Handles one NDJSON line; returns the operation when the line announces it.
        func take(_ line: Data) -> OperationSummary? {
            guard let envelope = try? decoder.decode(Line.self, from: line) else { return nil }
            switch envelope.type {
            case "operation":
                id = envelope.operation?.id
                return envelope.operation
            case "event":
                guard let offset = envelope.offset, offset >= next, let kind = envelope.kind else { return nil }
                next = offset + 1
                onEvent(OperationEvent(offset: offset, time: envelope.time ?? Date(), kind: kind, message: envelope.message ?? ""))
            case "end":
                end = envelope.operation
            default:
                break  // heartbeat
            }
            return nil
        }

        struct Line: Decodable {
            var type: String
            var operation: OperationSummary?
            var offset: Int?
            var time: Date?
            var kind: OperationEvent.Kind?
            var message: String?
        }
    }
}

/// Why a step could not be run on the sidecar: the daemon's error code and message, and the exit code
/// the CLI gives for it.
public struct SidecarError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var exitStatus: Int32

    public var description: String { message }

    static func answer(status: UInt, body: Data, url: String) -> SidecarError {
        struct Body: Decodable {
            struct Inner: Decodable { var code: String; var message: String }
            var error: Inner
        }
        let parsed = try? JSONDecoder().decode(Body.self, from: body)
        let code = parsed?.error.code ?? "sidecar.http-\(status)"
        let message = parsed.map { "the sidecar refused: \($0.error.message)" } ?? "the sidecar answered \(status) to \(url)"
        // A refused request (bad option, unknown step) is a usage error, as the same mistake is locally.
        return SidecarError(code: code, message: message, exitStatus: [400, 404].contains(status) ? 64 : 1)
    }
}
