import CutoverHTTP
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, base: .milliseconds(100), cap: .seconds(2))

    @Test(arguments: [
        (RetryPolicy.Outcome.response(status: 500, code: nil), true), (.response(status: 502, code: nil), true),
        (.response(status: 503, code: nil), true), (.response(status: 504, code: nil), true), (.response(status: 429, code: nil), true),
        (.response(status: 400, code: "Throttling"), true), (.response(status: 400, code: "ThrottlingException"), true),
        (.response(status: 503, code: "RequestLimitExceeded"), true), (.response(status: 400, code: "TooManyRequestsException"), true),
        (.response(status: 400, code: "ValidationError"), false), (.response(status: 404, code: nil), false),
        (.response(status: 403, code: nil), false), (.response(status: 200, code: nil), false),
        (.transport(.connectionRefused), true), (.transport(.connectionLost), true), (.transport(.timeout), true),
        (.transport(.tls), false),
    ])
    func retriesOnlyWhatCanSucceedLater(outcome: RetryPolicy.Outcome, retryable: Bool) {
        #expect(RetryPolicy.isRetryable(outcome) == retryable)
        #expect((policy.delay(after: 1, outcome: outcome, random: 0.5) != nil) == retryable)
    }

    @Test func fullJitterGrowsExponentiallyUpToTheCap() {
        let outcome = RetryPolicy.Outcome.response(status: 503, code: nil)
        // With random = 1 the wait is the ceiling: base * 2^(attempt-1), capped.
        #expect(policy.delay(after: 1, outcome: outcome, random: 1) == .milliseconds(100))
        #expect(policy.delay(after: 2, outcome: outcome, random: 1) == .milliseconds(200))
        #expect(policy.delay(after: 3, outcome: outcome, random: 1) == .milliseconds(400))
        #expect(policy.delay(after: 4, outcome: outcome, random: 1) == .milliseconds(800))
        #expect(RetryPolicy(maxAttempts: 20, base: .milliseconds(100), cap: .seconds(2)).delay(after: 10, outcome: outcome, random: 1) == .seconds(2))
        // Full jitter: anywhere from zero to the ceiling.
        #expect(policy.delay(after: 3, outcome: outcome, random: 0) == .zero)
        #expect(policy.delay(after: 3, outcome: outcome, random: 0.25) == .milliseconds(100))
    }

    @Test func givesUpAfterMaxAttempts() {
        let outcome = RetryPolicy.Outcome.transport(.connectionLost)
        #expect(policy.delay(after: 4, outcome: outcome, random: 0.5) != nil)
        #expect(policy.delay(after: 5, outcome: outcome, random: 0.5) == nil)
    }

    struct Failure: Error, Equatable { var attempt: Int }

    /// The loop both clients run: sleeps the policy's delays between retryable failures, returns what an
    /// attempt finished with, and throws the last failure when it gives up, or a final one at once.
    @Test func runRetriesUntilDoneAndThrowsTheLastFailure() async throws {
        let slept = Recorder()
        let value = try await policy.run(sleep: { await slept.add($0) }, random: { 1 }) { attempt -> RetryPolicy.Attempt<String> in
            attempt < 3 ? .failed(.response(status: 503, code: nil), Failure(attempt: attempt)) : .done("ok after \(attempt)")
        }
        #expect(value == "ok after 3")
        #expect(await slept.values == [.milliseconds(100), .milliseconds(200)])

        let tries = Recorder()
        await #expect(throws: Failure(attempt: 5)) {
            try await policy.run(sleep: { await tries.add($0) }, random: { 0 }) { attempt -> RetryPolicy.Attempt<String> in
                .failed(.transport(.connectionLost), Failure(attempt: attempt))
            }
        }
        #expect(await tries.values.count == 4, "5 attempts, 4 waits")

        await #expect(throws: Failure(attempt: 1)) {
            try await policy.run(sleep: { _ in Issue.record("a final failure is not retried") }) { attempt -> RetryPolicy.Attempt<String> in
                .failed(.response(status: 400, code: "ValidationError"), Failure(attempt: attempt))
            }
        }
    }

    actor Recorder {
        var values: [Duration] = []
        func add(_ value: Duration) { values.append(value) }
    }
}
