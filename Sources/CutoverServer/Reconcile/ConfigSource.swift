import Crypto
import CutoverCore
import Foundation

/// The config's text at one moment, and how to name it in diagnostics.
public struct ConfigSnapshot: Sendable, Equatable {
    public var text: String
    /// The file name diagnostics carry (`file:line:column`).
    public var file: String
    /// The git commit the text was read at, for a git source.
    public var revision: String?
    /// SHA-256 of the text, lowercase hex: what the watcher compares.
    public var digest: String

    public init(text: String, file: String, revision: String? = nil) {
        self.text = text
        self.file = file
        self.revision = revision
        digest = SHA256.hash(data: Data(text.utf8)).lowercaseHex
    }
}

/// Where the daemon reads the config from on every watch tick: a file, or a git clone it fetches.
public protocol ConfigSource: Sendable {
    /// For logs and `GET /v1/reconcile`: a path, or `url#branch:path`.
    var description: String { get }
    /// Brings the source up to date (a `git fetch`) and returns the config as it is now. Throws
    /// `ConfigSourceError` when it cannot be read.
    func snapshot() async throws -> ConfigSnapshot
}

/// The config could not be read at all (as opposed to read and found invalid).
public struct ConfigSourceError: Error, Sendable, CustomStringConvertible {
    /// `source.unreadable` (a file) or `source.git` (a git command failed).
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// The config file on disk, read whole on every tick.
public struct FileConfigSource: ConfigSource {
    public let path: String

    public init(path: String) { self.path = path }

    public var description: String { path }

    public func snapshot() async throws -> ConfigSnapshot {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigSourceError(code: "source.unreadable", message: "\(path) cannot be read (missing, or check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigSourceError(code: "source.unreadable", message: "\(path) is not UTF-8 text")
        }
        return ConfigSnapshot(text: text, file: path)
    }
}
