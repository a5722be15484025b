import CutoverStatusPage

/// The last read of every environment, at most `maxAge` old. A browser reloading every 5 s and a
/// Prometheus scraping every 15 s (or a bench at 100 requests/s) then cost AWS one read per `maxAge`,
/// not one per request, and concurrent requests share the read in flight.
public actor StatusCache {
    private let source: (any LiveStatusSource)?
    private let maxAge: Duration
    private var last: (at: ContinuousClock.Instant, environments: [EnvironmentStatus])?
    private var inFlight: Task<[EnvironmentStatus], Never>?

    public init(source: (any LiveStatusSource)?, maxAge: Duration) {
        self.source = source
        self.maxAge = maxAge
    }

    /// The environments as last read; reads again when older than `maxAge`. Empty without a source.
    public func environments() async -> [EnvironmentStatus] {
        guard let source else { return [] }
        if let last, ContinuousClock.now - last.at < maxAge { return last.environments }
        if let inFlight { return await inFlight.value }
        let task = Task { await source.read() }
        inFlight = task
        let environments = await task.value
        last = (ContinuousClock.now, environments)
        inFlight = nil
        return environments
    }
}
