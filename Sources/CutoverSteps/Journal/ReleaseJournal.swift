import CutoverAWS
import CutoverState
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
        /// The `cutover:release` tag of every target group that takes traffic in `saved` ("" when
        /// untagged), when it was saved: a rollback restores `saved` only while each still carries it.
        public var savedReleases: [String: String]?
    }

    public enum GroupState: String, Sendable, Codable {
        case saved, shifting, promoted, reverted, rolledBack = "rolled-back", failed
    }

    public struct Entry: Sendable, Codable, Equatable {
        public var time: Date
        public var command: String
        public var event: String
        public var detail: String?
        /// Who ran the command (optional: journals written before these fields existed lack them).
        public var user: String?
        /// `$BUILD_URL` and `$BUILD_NUMBER` when it ran in Jenkins.
        public var build: String?
        public var buildNumber: String?
        /// When the command started, on its final entry: the timeline shows how long it took.
        public var startedAt: Date?
    }

    /// Appends an entry, signed with who runs this process (`JournalSigner.current`).
    public mutating func log(_ command: String, _ event: String, _ detail: String? = nil, at time: Date = Date(),
                             startedAt: Date? = nil, by signer: JournalSigner = .current) {
        history.append(Entry(time: time, command: command, event: event, detail: detail, user: signer.user, build: signer.build,
                             buildNumber: signer.buildNumber, startedAt: startedAt))
    }
}

/// Release journals in the shared state store, one JSON document per release at
/// `<system>/<environment>/releases/<release>.json`. Every save is conditional on the version that was
/// read (`If-Match` in S3), so two writers can never silently lose each other's update: the second gets
/// `StateConflict`. The traffic lock makes that a bug, not a race, but the store enforces it anyway.
public struct JournalStore: Sendable {
    public var store: any StateStore

    public init(store: any StateStore) {
        self.store = store
    }

    /// Where the journals live, for messages and the pipelines' console.
    public var location: String { store.location }

    public static func key(system: String, environment: String, release: String) -> String {
        "\(fileName(system))/\(fileName(environment))/releases/\(fileName(release)).json"
    }

    /// The journal and the version it was read at, or nil when the release has none yet.
    public func load(system: String, environment: String, release: String) async throws -> JournalDocument? {
        let key = Self.key(system: system, environment: environment, release: release)
        guard let object = try await store.read(key) else { return nil }
        do {
            return JournalDocument(journal: try Self.decoder.decode(ReleaseJournal.self, from: object.data), version: object.version)
        } catch {
            throw StepError(code: "journal.unreadable", message: "the release journal \(key) in \(store.location) cannot be read: \(error)\nhint: move it aside; AWS holds the live state and `cutover status` shows it")
        }
    }

    /// The journal of a release, new when there is none.
    public func open(system: String, environment: String, release: String) async throws -> JournalDocument {
        try await load(system: system, environment: environment, release: release)
            ?? JournalDocument(journal: ReleaseJournal(system: system, environment: environment, release: release), version: nil)
    }

    /// Writes the document over the version it was read at and records the new version.
    public func save(_ document: inout JournalDocument) async throws {
        let journal = document.journal
        let key = Self.key(system: journal.system, environment: journal.environment, release: journal.release)
        let data = try Self.encoder.encode(journal)
        document.version = try await store.write(key, data, condition: document.version.map { .version($0) } ?? .absent)
    }

    /// Names become key segments: anything outside a safe set is percent-escaped.
    public static func fileName(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
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

/// A journal and the store version it was read at (nil: not written yet).
public struct JournalDocument: Sendable {
    public var journal: ReleaseJournal
    public var version: String?
}
