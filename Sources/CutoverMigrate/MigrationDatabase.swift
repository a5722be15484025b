import Foundation

/// A row of `_prisma_migrations`.
public struct MigrationRow: Sendable, Equatable {
    public var id: String
    public var checksum: String
    public var migrationName: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var rolledBackAt: Date?
    public var logs: String?
    public var appliedStepsCount: Int

    public init(id: String, checksum: String, migrationName: String, startedAt: Date, finishedAt: Date?, rolledBackAt: Date?,
                logs: String?, appliedStepsCount: Int) {
        self.id = id
        self.checksum = checksum
        self.migrationName = migrationName
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.rolledBackAt = rolledBackAt
        self.logs = logs
        self.appliedStepsCount = appliedStepsCount
    }

    /// Started and neither finished nor rolled back: a failed migration that blocks deploys (P3009).
    public var isFailed: Bool { finishedAt == nil && rolledBackAt == nil }
    public var isApplied: Bool { finishedAt != nil && rolledBackAt == nil }
}

/// A migration script failed: where and why, as PostgreSQL said it.
public struct ScriptFailure: Error, Sendable, Equatable {
    public var sqlState: String?
    public var message: String
    /// Where in the file the error is (the server's error position, or the failing statement's start).
    public var line: Int?
    public var column: Int?
    public var detail: String?

    public init(sqlState: String?, message: String, line: Int?, column: Int?, detail: String?) {
        self.sqlState = sqlState
        self.message = message
        self.line = line
        self.column = column
        self.detail = detail
    }
}

/// What the migrator needs from the database: Prisma's bookkeeping table, the advisory lock and the
/// simple-query protocol. `PostgresMigrationDatabase` speaks it to PostgreSQL.
public protocol MigrationDatabase: Sendable {
    /// Tries the session advisory lock once; true when taken.
    func tryAdvisoryLock(_ key: Int64) async throws -> Bool
    func advisoryUnlock(_ key: Int64) async throws
    /// Applies session settings (statement_timeout, lock_timeout) for the rest of the session.
    func setSession(_ name: String, _ value: String) async throws
    func migrationsTableExists() async throws -> Bool
    /// True when the schema has no tables, views or types of its own (Prisma's P3005 test).
    func schemaIsEmpty() async throws -> Bool
    func createMigrationsTable() async throws
    /// Every row, ordered by started_at.
    func rows() async throws -> [MigrationRow]
    func insertStarted(id: String, checksum: String, name: String) async throws
    func markFinished(id: String, appliedSteps: Int) async throws
    func markFailed(id: String, logs: String) async throws
    func markRolledBack(id: String) async throws
    /// Inserts a row for a migration marked applied without running it (`resolve --applied`).
    func insertApplied(id: String, checksum: String, name: String) async throws
    /// Runs a whole migration file with simple-query semantics: all of it or none of it.
    func execute(script: String) async throws(ScriptFailure)
}
