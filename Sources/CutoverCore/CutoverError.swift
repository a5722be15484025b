/// Every error cutover reports carries a stable code (for scripts and searching) and a message for people.
public protocol CutoverError: Error, CustomStringConvertible {
    /// Stable identifier, e.g. `config.invalid`. Never reworded once released.
    var code: String { get }
    /// The process exit code this error maps to (see `ExitStatus`).
    var exitStatus: ExitStatus { get }
}

/// The documented process exit codes. README.md lists the same table; a test keeps them in step.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Everything asked for was done (or, with `--dry-run`, would be done).
    case success = 0
    /// The operation failed: a remote call, a step, a file that could not be written.
    case failure = 1
    /// The config file is missing, unreadable or invalid.
    case invalidConfig = 2
    /// A check found a difference: `render --check` found drift.
    case drift = 3
    /// A Jenkins build ended UNSTABLE (`jenkins build --follow`).
    case unstable = 4
    /// A Jenkins build was aborted, not built, or its queue item was cancelled.
    case aborted = 5
    /// A check of live state failed: `status` found a group split, unhealthy or not as expected;
    /// `verify` found green not ready.
    case checkFailed = 6
    /// Another cutover command that writes routes (provision, deploy, promote, rollback, cleanup) holds
    /// this system and environment's lock, or the lock was lost while held.
    case locked = 7
    /// A traffic command could not put a group back: at least one route is split or not where it
    /// should be. The message names every such group with its live weights. Act now.
    case split = 8
    /// Wrong arguments or options (swift-argument-parser's EX_USAGE).
    case usage = 64

    public var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "the operation failed"
        case .invalidConfig: "the config file is missing, unreadable or invalid"
        case .drift: "a check found a difference (render --check: rendered files differ)"
        case .unstable: "a followed Jenkins build ended UNSTABLE"
        case .aborted: "a followed Jenkins build was aborted or cancelled"
        case .checkFailed: "a live check failed (status, verify): split, unhealthy or unexpected"
        case .locked: "another cutover command holds this environment's lock"
        case .split: "traffic is split: a revert or restore failed (act now)"
        case .usage: "usage error: unknown command, option or bad argument"
        }
    }
}

/// The config could not be used. Holds every problem found, in file order.
public struct ConfigError: CutoverError {
    public var diagnostics: [Diagnostic]
    public var code: String { "config.invalid" }
    public var exitStatus: ExitStatus { .invalidConfig }

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        let count = diagnostics.count
        let heading = "config invalid: \(count) problem\(count == 1 ? "" : "s")"
        return ([heading] + diagnostics.map(\.description)).joined(separator: "\n")
    }
}

/// A file the config needs could not be read at all (missing, not UTF-8, not YAML).
public struct ConfigFileError: CutoverError {
    public var path: String
    public var reason: String
    public var code: String { "config.unreadable" }
    public var exitStatus: ExitStatus { .invalidConfig }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot read config \(path): \(reason)" }
}
