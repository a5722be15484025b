import CutoverCore
import CutoverJenkins
import Foundation

/// What `GET /v1/reconcile` answers: where the config comes from, what is registered, what the last
/// run did, and — when the config on disk or in git is invalid — every diagnostic with its position.
public struct ReconcileStatus: Sendable, Codable, Equatable {
    /// One config problem: `location` is `file:line:column`, as editors jump to it.
    public struct Problem: Sendable, Codable, Equatable {
        public var location: String
        public var file: String
        public var line: Int
        public var column: Int
        public var path: String
        public var message: String
        public var hint: String

        init(_ diagnostic: Diagnostic) {
            location = diagnostic.location.description
            file = diagnostic.location.file
            line = diagnostic.location.line
            column = diagnostic.location.column
            path = diagnostic.path
            message = diagnostic.message
            hint = diagnostic.hint
        }
    }

    /// An item the run changed, or failed to change.
    public struct Change: Sendable, Codable, Equatable {
        public var path: String
        public var kind: String
        public var action: String
        public var error: String?
    }

    public struct ErrorInfo: Sendable, Codable, Equatable {
        public var code: String
        public var message: String
    }

    /// The config that is registered now (the last good one).
    public struct Applied: Sendable, Codable, Equatable {
        public var digest: String
        public var revision: String?
        public var at: Date
    }

    public struct Run: Sendable, Codable, Equatable {
        public enum Outcome: String, Sendable, Codable {
            /// Registered; `changes` lists what was created, updated or pruned (empty: nothing differed).
            case applied
            /// The config is invalid; nothing was sent to Jenkins.
            case invalid
            /// The source could not be read, or Jenkins failed; retried with backoff.
            case failed
        }

        public var reason: String
        public var startedAt: Date
        public var finishedAt: Date
        public var outcome: Outcome
        public var digest: String?
        public var revision: String?
        public var changes: [Change]
        public var error: ErrorInfo?
    }

    public var source: String
    public var running: Bool
    public var prune: Bool
    public var applied: Applied?
    public var lastRun: Run?
    /// The current config's problems; empty when it is valid.
    public var diagnostics: [Problem]
    /// Failed runs in a row (source or Jenkins), reset by a good one.
    public var failures: Int
    /// When the next retry happens after a failure.
    public var retryAt: Date?
}
