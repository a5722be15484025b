/// When to try a request again, and after how long: a pure function of the attempt and what went wrong,
/// so it is tested without sleeping (as soto-core does). Only the caller sleeps.
///
/// Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): the wait
/// before retry n is uniform in [0, min(cap, base * 2^n)].
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration

    public init(maxAttempts: Int = 5, base: Duration = .milliseconds(100), cap: Duration = .seconds(5)) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
    }

    /// What happened on one attempt, as far as retrying is concerned.
    public enum Outcome: Sendable, Equatable {
        /// A response with this status (and, for AWS, its error code).
        case response(status: Int, code: String?)
        /// No response: connection refused or lost, or a timeout.
        case transport(TransportError.Kind)
    }

    /// The throttling error codes AWS services use, across protocols.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Whether `outcome` is worth another try at all.
    public static func isRetryable(_ outcome: Outcome) -> Bool {
        switch outcome {
        case .response(let status, let code):
            if let code, throttlingCodes.contains(code) { return true }
            return status == 429 || status == 500 || status == 502 || status == 503 || status == 504
        case .transport(let kind):
            return kind != .tls
        }
    }

    /// The wait before the next attempt, or nil to give up. `attempt` counts from 1 (the one that just
    /// failed); `random` is a number in [0, 1).
    public func delay(after attempt: Int, outcome: Outcome, random: Double) -> Duration? {
        guard attempt < maxAttempts, Self.isRetryable(outcome) else { return nil }
        let exponent = min(attempt - 1, 30)
        let ceiling = min(cap, base * (1 << exponent))
        return ceiling * random
    }
}

extension RetryPolicy {
    /// What one attempt came to: a result to return, or a failure with what the policy needs to judge it.
    public enum Attempt<Value: Sendable>: Sendable {
        case done(Value)
        case failed(Outcome, any Error)
    }

    /// The one retry loop of cutover's clients: runs `attempt` (numbered from 1) until it is done, sleeping
    /// the policy's delay after each retryable failure, and throws the last failure when the policy gives
    /// up. A failure the policy does not retry is thrown at once.
    public func run<Value: Sendable>(sleep: @Sendable (Duration) async throws -> Void,
                                     random: () -> Double = { Double.random(in: 0..<1) },
                                     _ attempt: (Int) async throws -> Attempt<Value>) async throws -> Value {
        var number = 1
        while true {
            switch try await attempt(number) {
            case .done(let value):
                return value
            case .failed(let outcome, let error):
                guard let delay = delay(after: number, outcome: outcome, random: random()) else { throw error }
                try await sleep(delay)
            }
            number += 1
        }
    }
}
