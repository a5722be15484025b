import CutoverAWS
import Foundation

/// The history of one release in one environment: what each promote or rollback did, and the exact
/// action list of every route before the release first moved it, so a rollback restores precisely that.
/// AWS stays the truth about traffic; this is the memory of how it got there.
public struct ReleaseJournal: Sendable, Codable, Equatable {
    public var system: String
    public var environment: String
    public var release: String
    /// Per unit id (`frontend`, `feed-normalizer/football`).
    public var groups: [String: GroupRecord]
    public var history: [Entry]

    public init(system: String, environment: String, release: String) {
        self.system = system
        self.environment = environment
        self.release = release
        self.groups = [:]
        self.history = []
    }

    public struct GroupRecord: Sendable, Codable, Equatable {
        public var point: RoutePoint
        /// The route's actions before this release's first promotion step.
        public var saved: [ListenerAction]
        public var savedAt: Date
        /// The colour this release runs on.
        public var target: Color
        /// Every percentage promote has sent for `target` (so a resumed promote recognises them).
        public var applied: [Int]
        public var state: GroupState
    }

    public enum GroupState: String, Sendable, Codable {
        case saved, shifting, promoted, reverted, rolledBack = "rolled-back", failed
    }

    public struct Entry: Sendable, Codable, Equatable {
        public var time: Date
        public var command: String
        public var event: String
        public var detail: String?
    }

    public mutating func log(_ command: String, _ event: String, _ detail: String? = nil, at time: Date = Date()) {
        history.append(Entry(time: time, command: command, event: event, detail: detail))
    }
}

/// Journals as one JSON file per release: `<dir>/<system>/<environment>/<release>.json`, replaced
/// atomically (write, fsync, rename) so a kill never leaves half a file.
public struct JournalStore: Sendable {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func url(system: String, environment: String, release: String) -> URL {
        directory.appendingPathComponent(system).appendingPathComponent(environment)
            .appendingPathComponent("\(Self.fileName(release)).json")
    }

    public func load(system: String, environment: String, release: String) throws -> ReleaseJournal? {
        let url = url(system: system, environment: environment, release: release)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do {
            return try Self.decoder.decode(ReleaseJournal.self, from: data)
        } catch {
            throw StepError(code: "journal.unreadable", message: "the release journal \(url.path) cannot be read: \(error)\nhint: move it aside; AWS holds the live state and `cutover status` shows it")
        }
    }

    public func save(_ journal: ReleaseJournal) throws {
        let url = url(system: journal.system, environment: journal.environment, release: journal.release)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let data = try Self.encoder.encode(journal)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw StepError(code: "journal.write", message: "cannot write \(temporary.path): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == data.count, rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw StepError(code: "journal.write", message: "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Release names become file names: anything outside a safe set is percent-escaped.
    static func fileName(_ release: String) -> String {
        var out = ""
        for byte in release.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-" || scalar == "_" || (scalar == "." && !out.isEmpty) {
                out.unicodeScalars.append(scalar)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
