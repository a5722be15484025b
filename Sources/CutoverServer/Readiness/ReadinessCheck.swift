import Foundation

/// One thing the sidecar needs to do its work: the config, Jenkins, AWS, the state store.
public protocol ReadinessCheck: Sendable {
    /// Stable name shown by `/readyz`, e.g. `jenkins` or `state:staging`.
    var name: String { get }
    /// Returns normally when the dependency answers; throws an error whose description says what is
    /// down. May take long: `Readiness` bounds it.
    func check() async throws
}

/// A check made of a closure, for the probes the command assembles from its own options.
public struct ClosureCheck: ReadinessCheck {
    public let name: String
    private let body: @Sendable () async throws -> Void

    public init(_ name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    public func check() async throws { try await body() }
}

/// The outcome of one check, as `/readyz` shows it.
public struct CheckResult: Sendable, Codable, Equatable {
    public var name: String
    public var ok: Bool
    /// What is down, when not ok.
    public var message: String?
}

/// What `/readyz` answers: ready only when every check passed.
public struct ReadinessReport: Sendable, Codable, Equatable {
    public var ready: Bool
    public var checks: [CheckResult]
}

/// Runs every check at once, each bounded by `timeout`, so a hung dependency makes `/readyz` say so
/// instead of hanging the probe. The checks are asked for on every report: the sidecar's follow the
/// applied config (an environment added to it gets its state store probed).
public struct Readiness: Sendable {
    private let checks: @Sendable () async -> [any ReadinessCheck]
    public let timeout: Duration

    public init(timeout: Duration = .seconds(3), checks: @escaping @Sendable () async -> [any ReadinessCheck]) {
        self.checks = checks
        self.timeout = timeout
    }

    public init(checks: [any ReadinessCheck], timeout: Duration = .seconds(3)) {
        self.init(timeout: timeout) { checks }
    }

    public func report() async -> ReadinessReport {
        let timeout = timeout
        let checks = await checks()
        let results = await withTaskGroup(of: (Int, CheckResult).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask { (index, await Self.run(check, timeout: timeout)) }
            }
            var results = [CheckResult?](repeating: nil, count: checks.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
        return ReadinessReport(ready: results.allSatisfy(\.ok), checks: results)
    }

    private static func run(_ check: any ReadinessCheck, timeout: Duration) async -> CheckResult {
        let outcome = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await check.check()
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return "no answer within \(timeout.components.seconds) s"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return CheckResult(name: check.name, ok: outcome == nil, message: outcome)
    }
}
