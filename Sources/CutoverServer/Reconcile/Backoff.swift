/// How long to wait before retrying a failed reconcile: doubling from `base`, never more than `cap`,
/// so an outage of hours costs a request every `cap` and a blip is retried within seconds.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .seconds(5), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The wait after the `failures`-th failure in a row (1-based).
    public func delay(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let doubled = base * (1 << exponent)
        return min(doubled, cap)
    }
}
