import Foundation

/// The seam the release steps plug into: one runner per step kind (`promote`, `rollback`, …). The
/// registry owns ids, state, the event log and abort; a runner only does the work and reports.
///
/// A runner must run to its end even when nobody is listening (a Jenkins agent that dies mid-promotion
/// must not leave traffic split), so it gets no request or connection, only the context.
public protocol OperationRunner: Sendable {
    /// The step this runner implements, as it appears in `POST /v1/environments/{env}/{step}`.
    var kind: String { get }
    /// Does the work and returns how it ended. Reports progress with `context.emit`; checks
    /// `context.isAbortRequested` (or awaits `context.abortRequested()`) and decides what abort means
    /// for this step. Never throws: a failure is an outcome with an exit code and an error code.
    func run(_ request: OperationRequest, context: OperationContext) async -> OperationOutcome
    /// Refuses a request that cannot run (unknown option, unreadable config) before an operation
    /// exists: the caller gets a 400 with this error's description, and nothing starts.
    func check(_ request: OperationRequest) throws
}

extension OperationRunner {
    public func check(_ request: OperationRequest) throws {}
}

/// What a caller asked for: the environment and the step's options (the CLI's, as JSON).
public struct OperationRequest: Sendable, Equatable {
    public var environment: String
    /// The request body as sent, at most 64 KiB; the runner decodes the options it knows.
    public var options: Data

    public init(environment: String, options: Data = Data("{}".utf8)) {
        self.environment = environment
        self.options = options
    }
}

/// A running operation's handle for its runner: append progress lines, learn about abort.
public struct OperationContext: Sendable {
    public let id: String
    let registry: OperationRegistry

    /// Appends a progress line to the operation's log (the line the console would show).
    public func emit(_ message: String, kind: OperationEvent.Kind = .progress) async {
        await registry.append(id, kind, message)
    }

    /// True once `POST /v1/operations/{id}/abort` (or shutdown's deadline) asked this operation to stop.
    public var isAbortRequested: Bool {
        get async { await registry.isAbortRequested(id) }
    }

    /// Returns when abort is requested (or at once if it already was); cancelled with the calling task.
    public func abortRequested() async {
        await registry.waitForAbort(id)
    }
}
