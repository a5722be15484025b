import Foundation

/// Where an operation is in its life. `succeeded`, `failed` and `aborted` are final.
public enum OperationState: String, Sendable, Codable, Equatable {
    case running
    /// Abort was asked; the runner is finishing it its own way (promote reverts, rollback completes).
    case aborting
    case succeeded
    case failed
    case aborted

    public var isFinal: Bool { [.succeeded, .failed, .aborted].contains(self) }
}

/// One line of an operation's append-only log: the same lines the CLI prints to the console, then the
/// result. `offset` is the line's index, so a client that lost its connection re-attaches from the
/// last offset it saw plus one.
public struct OperationEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A console line on stderr: what the step reports as it goes.
        case progress
        /// A line on stdout: the step's answer (its table, or its `--json` document).
        case output
        /// The last event: how it ended.
        case result
    }

    public var offset: Int
    public var time: Date
    public var kind: Kind
    public var message: String
}

/// How an operation ended: the exit code the CLI would have given, and its machine-readable result.
public struct OperationOutcome: Sendable, Codable, Equatable {
    public var exitCode: Int32
    /// The JSON document the CLI prints with `--json`, when the step has one.
    public var result: Data?
    /// The error's stable code and message, when it failed.
    public var errorCode: String?
    public var errorMessage: String?

    public init(exitCode: Int32, result: Data? = nil, errorCode: String? = nil, errorMessage: String? = nil) {
        self.exitCode = exitCode
        self.result = result
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// What the API shows of an operation (without its events, which are read by offset).
public struct OperationSummary: Sendable, Codable, Equatable {
    public var id: String
    /// The step: `promote`, `rollback`, …
    public var kind: String
    public var environment: String
    public var state: OperationState
    public var createdAt: Date
    public var finishedAt: Date?
    public var outcome: OperationOutcome?
    /// How many events the log holds: the offset the next one will have.
    public var events: Int
}
