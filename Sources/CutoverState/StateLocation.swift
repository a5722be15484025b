import CutoverCore
import Foundation

/// Where the state store is: a local directory or an S3 prefix. Chosen once per run by `resolve`:
/// `CUTOVER_STATE`, else the environment's `state:`, else the local default directory.
public enum StateLocation: Equatable, Sendable, CustomStringConvertible {
    case directory(URL)
    /// `prefix` has no leading or trailing `/`; empty for the bucket's root.
    case s3(bucket: String, prefix: String)

    /// `s3://bucket[/prefix]`, else a directory path (a relative one is resolved against the working
    /// directory). Throws `StateLocationError` (`state.location`) for e.g. `s3://` without a bucket.
    public static func parse(_ text: String) throws -> StateLocation {
        switch StateLocationSyntax.parse(text) {
        case .success(.s3(let bucket, let prefix)):
            return .s3(bucket: bucket, prefix: prefix)
        case .success(.directory(let path)):
            return .directory(directoryURL(path))
        case .failure(let problem):
            throw StateLocationError(text: text, problem: problem.message)
        }
    }

    /// The location for this run: `environmentVariable` (`CUTOVER_STATE`) beats `configured` (the
    /// environment's `state:`), which beats `defaultDirectory`. An empty string counts as unset, so a
    /// pipeline can clear the variable with `CUTOVER_STATE=`.
    public static func resolve(environmentVariable: String?, configured: String?, defaultDirectory: URL) throws -> StateLocation {
        for text in [environmentVariable, configured] {
            if let text, !text.isEmpty { return try parse(text) }
        }
        return .directory(directoryURL(defaultDirectory.path))
    }

    /// One spelling per directory (absolute, standardised, with the trailing `/` of a directory URL), so
    /// locations compare equal however they were written.
    private static func directoryURL(_ path: String) -> URL {
        URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// `s3://bucket/prefix` or the directory's path, as messages show it.
    public var description: String {
        switch self {
        case .directory(let url): url.path
        case .s3(let bucket, let prefix): prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
        }
    }
}

/// `state:` or `CUTOVER_STATE` is not a location cutover can use.
public struct StateLocationError: CutoverError {
    public var text: String
    public var problem: String

    public var code: String { "state.location" }
    public var exitStatus: ExitStatus { .invalidConfig }

    public var description: String {
        "the state location \(text.debugDescription) \(problem)\nhint: set CUTOVER_STATE or `state:` to \(StateLocationSyntax.expectation)"
    }
}
