import CutoverLint
import CutoverState
import Foundation

/// The schema history of one environment: every `migrate deploy --release R` run, in order, with what
/// it applied and each migration's class. It lives beside the release journals in the state store
/// (`<system>/<environment>/schema.json`), so promote and rollback on any agent see the same history.
/// One document for the environment rather than one per release: the rollback check needs every run
/// after a release, and that is one read.
public struct SchemaJournal: Sendable, Codable, Equatable {
    public var system: String
    public var environment: String
    public var runs: [SchemaRun]

    public init(system: String, environment: String, runs: [SchemaRun] = []) {
        self.system = system
        self.environment = environment
        self.runs = runs
    }

    /// The latest run of `release`, if any.
    public func latest(_ release: String) -> SchemaRun? { runs.last { $0.release == release } }

    /// Which release applied `migration` (its first successful application).
    public func release(applying migration: String) -> SchemaRun? {
        runs.first { run in run.applied.contains { $0.name == migration } }
    }
}

/// One migration run for a release.
public struct SchemaRun: Sendable, Codable, Equatable {
    public var release: String
    public var at: Date
    /// The Jenkins build that ran it ($BUILD_URL), or the user.
    public var by: String?
    public var succeeded: Bool
    /// Applied by this run, in order.
    public var applied: [MigrationRecord]
    /// Already applied before this run.
    public var alreadyApplied: [String]
    /// The migration that failed, if one did.
    public var failed: MigrationRecord?
    /// The error's code and first line (never the database URL or a password).
    public var error: String?
    /// `migrate deploy`, or `built from _prisma_migrations` for a database migrated by Prisma itself.
    public var source: String

    public init(release: String, at: Date, by: String?, succeeded: Bool, applied: [MigrationRecord], alreadyApplied: [String],
                failed: MigrationRecord? = nil, error: String? = nil, source: String = "migrate deploy") {
        self.release = release
        self.at = at
        self.by = by
        self.succeeded = succeeded
        self.applied = applied
        self.alreadyApplied = alreadyApplied
        self.failed = failed
        self.error = error
        self.source = source
    }
}

/// A migration as a run recorded it.
public struct MigrationRecord: Sendable, Codable, Equatable {
    public var name: String
    public var checksum: String
    public var migrationClass: MigrationClass

    public init(name: String, checksum: String, migrationClass: MigrationClass) {
        self.name = name
        self.checksum = checksum
        self.migrationClass = migrationClass
    }
}

/// Reads and appends to the schema journal, every write conditional on the version read.
public struct SchemaJournalStore: Sendable {
    public var store: any StateStore

    public init(store: any StateStore) {
        self.store = store
    }

    public static func key(system: String, environment: String) -> String {
        "\(JournalStore.fileName(system))/\(JournalStore.fileName(environment))/schema.json"
    }

    public func load(system: String, environment: String) async throws -> SchemaJournal? {
        let key = Self.key(system: system, environment: environment)
        guard let object = try await store.read(key) else { return nil }
        do {
            return try JournalStore.decoder.decode(SchemaJournal.self, from: object.data)
        } catch {
            throw StepError(code: "schema.unreadable", message: "the schema journal \(key) in \(store.location) cannot be read: \(error)")
        }
    }

    /// Appends `run`; a concurrent writer (another environment's pipeline never shares this key, but a
    /// rerun might) makes it read again and retry, so no run is lost.
    public func append(_ run: SchemaRun, system: String, environment: String) async throws {
        let key = Self.key(system: system, environment: environment)
        for _ in 0..<5 {
            let object = try await store.read(key)
            var journal = try object.map { try JournalStore.decoder.decode(SchemaJournal.self, from: $0.data) }
                ?? SchemaJournal(system: system, environment: environment)
            journal.runs.append(run)
            do {
                _ = try await store.write(key, try JournalStore.encoder.encode(journal), condition: object.map { .version($0.version) } ?? .absent)
                return
            } catch is StateConflict {
                continue
            }
        }
        throw StepError(code: "schema.conflict", message: "the schema journal \(key) in \(store.location) kept changing while cutover wrote to it; rerun")
    }
}
