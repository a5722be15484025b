import CutoverCore
import Foundation

/// A conditional write or delete found the object not as expected: it exists already, or someone else
/// changed it since it was read. Nothing was written; re-read and decide again.
public struct StateConflict: CutoverError {
    public var key: String
    public var location: String
    /// What was expected, for the message: "absent" or "at version …".
    public var expected: String

    public init(key: String, location: String, expected: String) {
        self.key = key
        self.location = location
        self.expected = expected
    }

    public var code: String { "state.conflict" }
    public var exitStatus: ExitStatus { .failure }

    public var description: String {
        "\(key) in \(location) was not \(expected): another run changed it first, and nothing was written\n"
            + "hint: run the command again; it re-reads the state and continues from there"
    }
}

/// The state store could not be read or written at all (S3 refused or did not answer, a directory is
/// not writable). Carries the underlying error's text, and how to fix the usual causes.
public struct StateStoreError: CutoverError {
    public var location: String
    /// `read`, `write`, `delete` or `list`, with the key.
    public var operation: String
    public var underlying: String
    public var hint: String

    public init(location: String, operation: String, underlying: String, hint: String) {
        self.location = location
        self.operation = operation
        self.underlying = underlying
        self.hint = hint
    }

    public var code: String { "state.unavailable" }
    public var exitStatus: ExitStatus { .failure }

    public var description: String {
        "cannot \(operation) in the state store \(location): \(underlying)\nhint: \(hint)"
    }
}
