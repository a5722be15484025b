import Foundation

/// One HTTP request as cutover's adapters build it: everything explicit, nothing implied by a session.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(String, String)]
    public var body: Data?

    public init(method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A complete response: status, headers (names compared case-insensitively), body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Every value of header `name` (e.g. several Set-Cookie).
    public func headers(_ name: String) -> [String] {
        headers.filter { $0.0.caseInsensitiveCompare(name) == .orderedSame }.map(\.1)
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// The raw request layer every production adapter (Jenkins, AWS) speaks through. One method, so a test
/// can put a scripted server, a fault injector or a recorder underneath any adapter.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the whole response, or throws `TransportError` when no response came.
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}

/// No HTTP response at all: the connection failed, was dropped, or the deadline passed.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case connectionRefused = "connection refused"
        case connectionLost = "connection lost"
        case timeout = "timed out"
        case tls = "TLS failed"
        case other = "request failed"
    }

    public var kind: Kind
    public var url: URL
    public var detail: String

    public init(kind: Kind, url: URL, detail: String) {
        self.kind = kind
        self.url = url
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(url.absoluteString)\(detail.isEmpty ? "" : " (\(detail))")" }
}
