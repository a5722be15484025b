import Foundation
import Hummingbird
import NIOCore

/// One API route: method, path, who may call it, and the handler. The router is built from a list of
/// these, and the same list answers "is this path known with another method?" (405 vs 404) and feeds
/// the README's API table, so the three cannot disagree.
struct Endpoint: Sendable {
    typealias Handler = @Sendable (_ request: Request, _ body: Data, _ context: ServerRequestContext) async throws -> Response

    var method: HTTPRequest.Method
    /// Hummingbird path syntax, `{name}` for a parameter: `/v1/operations/{id}`.
    var path: String
    var access: Access
    var handler: Handler

    /// True when `requestPath` has this endpoint's shape (parameters match any one segment).
    func matches(path requestPath: String) -> Bool {
        let pattern = path.split(separator: "/")
        let actual = requestPath.split(separator: "/")
        guard pattern.count == actual.count else { return false }
        return zip(pattern, actual).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}

extension Router where Context == ServerRequestContext {
    /// Registers `endpoint` behind its access check and the body limit: the token is checked before the
    /// body is read, so an unauthenticated client cannot make the server buffer anything; a webhook's
    /// signature covers the body, so its body is read first (still at most 64 KiB).
    func add(_ endpoint: Endpoint, authenticator: BearerAuthenticator) {
        on(RouterPath(endpoint.path), method: endpoint.method) { request, context in
            if case .token(let scope) = endpoint.access {
                try authenticator.authorize(request, required: scope)
            }
            var request = request
            let body = try await Self.collect(&request, context: context)
            return try await endpoint.handler(request, body, context)
        }
    }

    private static func collect(_ request: inout Request, context: ServerRequestContext) async throws -> Data {
        let limit = context.maxUploadSize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw APIError.tooLarge(limit: limit) }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        }
    }
}
