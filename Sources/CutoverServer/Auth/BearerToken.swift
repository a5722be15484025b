import Foundation
import Hummingbird

/// Reads `Authorization: Bearer <token>` and decides whether it grants `required`.
struct BearerAuthenticator: Sendable {
    let tokens: TokenSet

    /// Throws 401 when the token is missing or unknown, 403 when it is known but too weak.
    func authorize(_ request: Request, required: TokenScope) throws {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("this endpoint needs `Authorization: Bearer <token>`")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header is not `Bearer <token>`")
        }
        guard let scope = tokens.scope(of: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("the bearer token is not one this server accepts")
        }
        guard scope >= required else {
            throw APIError.forbidden("this endpoint needs an \(required.rawValue) token; this one may only \(scope.rawValue)")
        }
    }
}
