import CutoverStatusPage

/// The last read of every environment. A browser reloading every 5 s and a Prometheus scraping every
/// 15 s (or a bench at 100 requests/s) then cost AWS one read per `maxAge`, not one per request, and
/// concurrent requests share the read in flight. Only the very first request waits for a read: once
/// one is held, a request that finds it older than `maxAge` gets it at once and starts the next read
/// in the background (stale while revalidating), so a slow AWS (90 groups take seconds) never holds up
/// a scrape or a page. What is shown is then at most `maxAge` plus one read old.
public actor StatusCache {
    private let source: (any LiveStatusSource)?
    private let maxAge: Duration
    private var last: (at: ContinuousClock.Instant, environments: [EnvironmentStatus], took: Duration)?
    private var inFlight: Task<(environments: [EnvironmentStatus], took: Duration?), Never>?

    public init(source: (any LiveStatusSource)?, maxAge: Duration) {
        self.source = source
        self.maxAge = maxAge
    }

    /// The environments as last read; starts a new read when they are older than `maxAge`, and waits
    /// for it only when nothing was read yet. Empty without a source.
    public func environments() async -> [EnvironmentStatus] {
        await read().environments
    }

    /// As `environments()`, with how long the read they come from took (nil without a source).
    public func read() async -> (environments: [EnvironmentStatus], took: Duration?) {
        guard let source else { return ([], nil) }
        if let last, ContinuousClock.now - last.at < maxAge { return (last.environments, last.took) }
        let task = inFlight ?? refresh(source)
        if let last { return (last.environments, last.took) }
        return await task.value
    }

    /// Reads, then keeps the result: the task ends once `last` holds it.
    private func refresh(_ source: any LiveStatusSource) -> Task<(environments: [EnvironmentStatus], took: Duration?), Never> {
        let task = Task {
            let started = ContinuousClock.now
            let environments = await source.read()
            return await self.store(environments, took: ContinuousClock.now - started)
        }
        inFlight = task
        return task
    }

    private func store(_ environments: [EnvironmentStatus], took: Duration) -> (environments: [EnvironmentStatus], took: Duration?) {
        last = (ContinuousClock.now, environments, took)
        inFlight = nil
        return (environments, took)
    }
}
