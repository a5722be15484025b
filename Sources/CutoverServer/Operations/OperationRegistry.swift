import Foundation

/// The running and recently finished operations: ids, state, the append-only event log, abort. Runs
/// each operation in a task of its own, detached from the HTTP request that started it, so a client
/// that disconnects does not stop it. Keeps the last `retainFinished` finished operations in memory.
public actor OperationRegistry {
    private struct Record {
        var summary: OperationSummary
        var events: [OperationEvent] = []
        var abortRequested = false
        var task: Task<Void, Never>?
    }

    private let runners: [String: any OperationRunner]
    private let retainFinished: Int
    private let clock: @Sendable () -> Date
    private var records: [String: Record] = [:]
    /// Ids in start order, for listing and for forgetting the oldest finished ones.
    private var order: [String] = []
    private var accepting = true
    /// Followers waiting for an operation's next event, by operation id.
    private var waiters: [String: [(token: Int, continuation: CheckedContinuation<Void, Never>)]] = [:]
    private var nextWaiter = 0

    public init(runners: [any OperationRunner] = [], retainFinished: Int = 200, clock: @escaping @Sendable () -> Date = Date.init) {
        self.runners = Dictionary(runners.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.retainFinished = retainFinished
        self.clock = clock
    }

    /// The step kinds that can be started, sorted.
    public var kinds: [String] { runners.keys.sorted() }

    /// Starts an operation of `kind` and returns at once. Throws `operation.unknown-step` for a kind
    /// without a runner and `operation.shutting-down` once shutdown has begun.
    public func start(kind: String, request: OperationRequest) throws -> OperationSummary {
        guard accepting else { throw OperationError.shuttingDown }
        guard let runner = runners[kind] else { throw OperationError.unknownKind(kind, known: kinds) }
        do { try runner.check(request) } catch { throw OperationError.badRequest("\(error)") }
        let id = "op-" + UUID().uuidString.lowercased()
        let summary = OperationSummary(id: id, kind: kind, environment: request.environment, state: .running,
                                       createdAt: clock(), finishedAt: nil, outcome: nil, events: 0)
        records[id] = Record(summary: summary)
        order.append(id)
        let context = OperationContext(id: id, registry: self)
        records[id]?.task = Task.detached {
            let outcome = await runner.run(request, context: context)
            await self.finish(id, outcome)
        }
        return summary
    }

    /// Every retained operation, oldest first.
    public func list() -> [OperationSummary] {
        order.compactMap { records[$0]?.summary }
    }

    /// One operation; nil when the id is unknown (or long forgotten).
    public func summary(_ id: String) -> OperationSummary? {
        records[id]?.summary
    }

    /// The events from `offset` on; nil when the id is unknown.
    public func events(_ id: String, from offset: Int) -> [OperationEvent]? {
        guard let record = records[id] else { return nil }
        return Array(record.events.dropFirst(max(0, offset)))
    }

    /// Returns once the log holds more than `count` events or the operation is final (or unknown).
    /// With `limit`, returns after that long at the latest (a follower's heartbeat). Woken by the append
    /// itself, not by polling: a follower sees an event, and the end, as soon as it is recorded.
    public func waitForEvents(_ id: String, beyond count: Int, limit: Duration? = nil) async {
        guard let record = records[id], record.events.count <= count, !record.summary.state.isFinal else { return }
        let token = nextWaiter
        nextWaiter += 1
        let timer = limit.map { limit in
            Task { [weak self] in
                try? await Task.sleep(for: limit)
                await self?.wake(id, token: token)
            }
        }
        await withCheckedContinuation { continuation in
            waiters[id, default: []].append((token, continuation))
        }
        timer?.cancel()
    }

    private func wake(_ id: String, token: Int) {
        guard let index = waiters[id]?.firstIndex(where: { $0.token == token }) else { return }
        waiters[id]!.remove(at: index).continuation.resume()
    }

    private func wakeAll(_ id: String) {
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.continuation.resume() }
    }

    /// Asks the operation to stop; its runner decides how. Nil when the id is unknown; a final
    /// operation is returned unchanged.
    public func abort(_ id: String) -> OperationSummary? {
        guard var record = records[id] else { return nil }
        if !record.summary.state.isFinal {
            record.abortRequested = true
            record.summary.state = .aborting
            records[id] = record
        }
        return record.summary
    }

    /// Shutdown: refuse new operations, let running ones end within `deadline`, then ask the rest to
    /// abort and give them `abortGrace` more. Returns the ids still running after that.
    @discardableResult
    public func drain(deadline: Duration, abortGrace: Duration = .seconds(5)) async -> [String] {
        accepting = false
        if await waitForRunning(within: deadline) { return [] }
        for id in running { _ = abort(id) }
        _ = await waitForRunning(within: abortGrace)
        return running
    }

    private var running: [String] {
        order.filter { records[$0].map { !$0.summary.state.isFinal } ?? false }
    }

    private func waitForRunning(within limit: Duration) async -> Bool {
        let end = ContinuousClock.now + limit
        while !running.isEmpty {
            guard ContinuousClock.now < end else { return false }
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return running.isEmpty }
        }
        return true
    }

    // MARK: for OperationContext

    func append(_ id: String, _ kind: OperationEvent.Kind, _ message: String) {
        guard var record = records[id] else { return }
        record.events.append(OperationEvent(offset: record.events.count, time: clock(), kind: kind, message: message))
        record.summary.events = record.events.count
        records[id] = record
        wakeAll(id)
    }

    func isAbortRequested(_ id: String) -> Bool {
        records[id]?.abortRequested ?? false
    }

    func waitForAbort(_ id: String) async {
        while let record = records[id], !record.abortRequested {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
        }
    }

    private func finish(_ id: String, _ outcome: OperationOutcome) {
        guard var record = records[id] else { return }
        let aborted = record.abortRequested && outcome.exitCode != 0
        record.summary.state = outcome.exitCode == 0 ? .succeeded : aborted ? .aborted : .failed
        record.summary.outcome = outcome
        record.summary.finishedAt = clock()
        record.task = nil
        records[id] = record
        append(id, .result, "exit \(outcome.exitCode)" + (outcome.errorCode.map { " \($0)" } ?? ""))
        forgetOldFinished()
    }

    private func forgetOldFinished() {
        let finished = order.filter { records[$0]?.summary.state.isFinal ?? false }
        for id in finished.dropLast(retainFinished) {
            records[id] = nil
            order.removeAll { $0 == id }
        }
    }
}

/// Why an operation could not be started.
public enum OperationError: Error, Sendable, Equatable {
    case unknownKind(String, known: [String])
    case shuttingDown
    case badRequest(String)
}
