import Foundation
import Hummingbird

/// An error the API answers with: an HTTP status, a stable code (never reworded once released, so
/// clients and scripts can match it) and a message for people. Every error response has the body
/// `{"error": {"code": "...", "message": "..."}}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra headers, e.g. `Allow` on a 405 or `WWW-Authenticate` on a 401.
    public var headers: [String: String]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, "auth.unauthorized", message, headers: ["WWW-Authenticate": "Bearer realm=\"cutover\""])
    }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "auth.forbidden", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "http.not-found", message) }
    static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        APIError(.methodNotAllowed, "http.method-not-allowed", "\(method) is not allowed here; use \(allowed.joined(separator: " or "))",
                 headers: ["Allow": allowed.joined(separator: ", ")])
    }
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "http.body-too-large", "the request body is larger than \(limit / 1024) KiB")
    }
    static let webhookSignature = APIError(.unauthorized, "hook.signature", "the webhook signature is missing or wrong")
    static let internalError = APIError(.internalServerError, "http.internal", "the server failed to answer; see its log")
}
