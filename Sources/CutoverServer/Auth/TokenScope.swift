/// What a bearer token may do. `operate` includes everything `read` may do.
public enum TokenScope: String, Sendable, Comparable, CaseIterable, Codable {
    /// Read state: reconcile status, operations and their events.
    case read
    /// Change things: reconcile now and, later, run release steps.
    case operate

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool {
        lhs == .read && rhs == .operate
    }
}

/// Who may call an endpoint.
public enum Access: Sendable, Equatable {
    /// No token: liveness and readiness, which orchestrators probe without secrets.
    case open
    /// A bearer token with at least this scope.
    case token(TokenScope)
    /// A push webhook, authenticated by its signature over the body instead of a token.
    case webhook
}
