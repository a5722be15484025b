import Foundation

/// A Jenkins item's place: folder names from the root, e.g. `["releases", "spectate", "staging", "promote"]`.
public struct ItemPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var segments: [String]

    public init(_ segments: [String]) {
        self.segments = segments
    }

    /// Parses `releases/spectate/staging/promote` (a leading or trailing `/` is ignored).
    public init(parsing text: String) {
        segments = text.split(separator: "/").map(String.init)
    }

    public var isRoot: Bool { segments.isEmpty }
    public var name: String { segments.last ?? "" }
    public var parent: ItemPath { ItemPath(Array(segments.dropLast())) }
    public func appending(_ name: String) -> ItemPath { ItemPath(segments + [name]) }
    public var description: String { segments.joined(separator: "/") }
    public static func < (lhs: ItemPath, rhs: ItemPath) -> Bool { lhs.description < rhs.description }

    /// The URL path Jenkins serves the item at: `/job/a/job/b/`.
    public var urlPath: String {
        segments.map { "/job/" + Self.encode($0) }.joined() + "/"
    }

    static func encode(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}

/// What kind of item a path holds.
public enum ItemKind: String, Sendable, Equatable {
    case folder
    case job
}

/// One child of a folder, as listed by `api/json`.
public struct ItemSummary: Sendable, Equatable {
    public var path: ItemPath
    public var kind: ItemKind
    /// The Jenkins class, e.g. `org.jenkinsci.plugins.workflow.job.WorkflowJob`.
    public var className: String

    public init(path: ItemPath, kind: ItemKind, className: String) {
        self.path = path
        self.kind = kind
        self.className = className
    }
}

/// Where a triggered build is: waiting in the queue, started, or cancelled.
public enum QueueState: Sendable, Equatable {
    case waiting(why: String?)
    case started(number: Int, url: String)
    case cancelled
}

/// One build as `api/json` describes it.
public struct BuildInfo: Sendable, Equatable {
    public var number: Int
    public var url: String
    public var building: Bool
    /// SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT; nil while running.
    public var result: String?
    public var durationMilliseconds: Int
    public var timestamp: Int

    public init(number: Int, url: String, building: Bool, result: String?, durationMilliseconds: Int, timestamp: Int) {
        self.number = number
        self.url = url
        self.building = building
        self.result = result
        self.durationMilliseconds = durationMilliseconds
        self.timestamp = timestamp
    }
}

/// A piece of console text and where the next piece starts.
public struct ConsoleChunk: Sendable, Equatable {
    public var text: String
    public var nextOffset: Int
    /// True while the build is still writing its log.
    public var more: Bool

    public init(text: String, nextOffset: Int, more: Bool) {
        self.text = text
        self.nextOffset = nextOffset
        self.more = more
    }
}

/// The narrow protocol the register and build steps need from Jenkins. `JenkinsRESTClient` speaks it to a
/// real server; `InMemoryJenkins` (tests) implements it in memory; one conformance suite runs against both.
public protocol JenkinsAPI: Sendable {
    /// The stored `config.xml` of the item at `path`; nil when there is no such item.
    func config(of path: ItemPath) async throws -> String?
    /// Creates the item at `path` (its parent folder must exist). Throws `JenkinsError.exists` when taken.
    func create(_ path: ItemPath, config: String) async throws
    /// Replaces the `config.xml` of an existing item.
    func update(_ path: ItemPath, config: String) async throws
    /// Deletes an item (a folder with everything in it).
    func delete(_ path: ItemPath) async throws
    /// The direct children of a folder (the root when `folder` is empty); nil when it does not exist.
    func children(of folder: ItemPath) async throws -> [ItemSummary]?
    /// Queues a build with parameters; returns the queue item id.
    func build(_ job: ItemPath, parameters: [(String, String)]) async throws -> Int
    /// The state of a queue item.
    func queueItem(_ id: Int) async throws -> QueueState
    /// A build of `job` (the last one when `number` is nil); nil when there is none.
    func buildInfo(_ job: ItemPath, number: Int?) async throws -> BuildInfo?
    /// Console text of a build from byte `offset`.
    func console(_ job: ItemPath, number: Int, from offset: Int) async throws -> ConsoleChunk
}
