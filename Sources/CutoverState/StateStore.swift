import CutoverCore
import Foundation

/// Where cutover keeps what every agent must share: release journals and the traffic lock. One small
/// contract with conditional writes (as S3's `If-None-Match: *` / `If-Match`), implemented by a local
/// directory and by S3; one conformance suite runs against both.
public protocol StateStore: Sendable {
    /// For messages: `s3://bucket/prefix` or a directory path.
    var location: String { get }
    /// The object at `key` and its version (an ETag, or a digest locally), nil when absent.
    /// Throws `StateStoreError` when the store cannot be read.
    func read(_ key: String) async throws -> StoredObject?
    /// Writes `data` at `key` only if `condition` holds and returns the new version.
    /// Throws `StateConflict` when it does not (the object exists, or has another version).
    func write(_ key: String, _ data: Data, condition: WriteCondition) async throws -> String
    /// Deletes `key` (only while it has `version`, when given). Absent keys are not an error.
    func delete(_ key: String, ifVersion version: String?) async throws
    /// Keys under `prefix`, sorted.
    func list(prefix: String) async throws -> [String]
}

/// An object's bytes and the version they were read at.
public struct StoredObject: Sendable, Equatable {
    public var data: Data
    public var version: String

    public init(data: Data, version: String) {
        self.data = data
        self.version = version
    }
}

/// When a write may happen.
public enum WriteCondition: Sendable, Equatable {
    /// Only if no object exists at the key (`If-None-Match: *`).
    case absent
    /// Only if the object still has this version (`If-Match: <etag>`).
    case version(String)
}
