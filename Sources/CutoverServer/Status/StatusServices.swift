import CutoverStatusPage

/// Reads every environment's live state for the page and `/metrics`: AWS (weights, releases, target
/// health), the state store (lock, journals) and Jenkins (builds at the approval gate). Implemented by
/// the executable over CutoverSteps and CutoverJenkins; tests pass a fixed one. Never throws: a part
/// that cannot be read is a problem line in its environment.
public protocol LiveStatusSource: Sendable {
    func read() async -> [EnvironmentStatus]
}

/// What the status page and the metrics need beyond the rest of the sidecar.
public struct StatusServices: Sendable {
    public var system: String
    public var version: String
    /// Nil: the page shows operations and reconciling only (no config with environments to read).
    public var source: (any LiveStatusSource)?
    /// `serve --public-read`: `/` and `/metrics` answer without a token.
    public var publicRead: Bool
    public var cache: StatusCache
    public var metrics: ServerMetrics
    /// Seconds between the page's reloads.
    public var refreshSeconds: Int

    public init(system: String = "", version: String = "", source: (any LiveStatusSource)? = nil, publicRead: Bool = false,
                maxAge: Duration = .seconds(2), refreshSeconds: Int = 5) {
        self.system = system
        self.version = version
        self.source = source
        self.publicRead = publicRead
        cache = StatusCache(source: source, maxAge: maxAge)
        metrics = ServerMetrics(version: version)
        self.refreshSeconds = refreshSeconds
    }

    /// Who may read the page and the metrics.
    var access: Access { publicRead ? .open : .token(.read) }
}
