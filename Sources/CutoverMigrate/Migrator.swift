import Foundation

/// Applies Prisma migrations exactly as `prisma migrate deploy` does, so a team can switch between the two
/// on one database: Prisma's table and rows, its advisory lock key, one simple-query message per file.
public struct Migrator: Sendable {
    /// Prisma's advisory lock key.
    public static let lockKey: Int64 = 72_707_369

    public struct Options: Sendable {
        /// How long to wait for the advisory lock, polling `pg_try_advisory_lock` (never blocking in the
        /// server, so a waiting deploy cannot sit in a lock queue behind a CREATE INDEX CONCURRENTLY).
        public var lockWait: Duration = .seconds(10)
        public var pollInterval: Duration = .milliseconds(200)
        /// Session `statement_timeout` while migrating (nil: the server's).
        public var statementTimeout: String?
        /// Session `lock_timeout` while migrating (nil: the server's).
        public var lockTimeout: String?
        /// Fail (instead of warn) when an applied migration's file has changed.
        public var strict = false

        public init() {}
    }

    public enum Outcome: Sendable, Equatable {
        case applied(String)
        case failed(String, ScriptFailure)
    }

    public struct DeployReport: Sendable, Equatable {
        public var applied: [String] = []
        /// Applied migrations whose file no longer matches its checksum.
        public var modified: [String] = []
        public var alreadyApplied: Int = 0
        public var createdTable = false
    }

    let database: any MigrationDatabase
    let options: Options
    let sleep: @Sendable (Duration) async throws -> Void

    public init(database: any MigrationDatabase, options: Options = Options(),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.database = database
        self.options = options
        self.sleep = sleep
    }

    /// The migrations that `deploy` would run, without taking the lock or changing anything.
    public func pending(_ local: [LocalMigration]) async throws -> [LocalMigration] {
        guard try await database.migrationsTableExists() else { return local }
        let applied = Set(try await database.rows().filter(\.isApplied).map(\.migrationName))
        return local.filter { !applied.contains($0.name) }
    }

    /// Applies every pending migration in order; stops at the first failure (P3018).
    public func deploy(_ local: [LocalMigration]) async throws -> DeployReport {
        try await withLock {
            var report = DeployReport()
            if let timeout = options.statementTimeout { try await database.setSession("statement_timeout", timeout) }
            if let timeout = options.lockTimeout { try await database.setSession("lock_timeout", timeout) }
            if !(try await database.migrationsTableExists()) {
                guard try await database.schemaIsEmpty() else {
                    throw MigrateError(code: "migrate.not-empty", prisma: "P3005",
                                       "the database schema is not empty and has no _prisma_migrations table: baseline it first (mark the migrations that are already in the database with `cutover migrate resolve --applied NAME`)")
                }
                try await database.createMigrationsTable()
                report.createdTable = true
            }
            let rows = try await database.rows()
            let failed = rows.filter(\.isFailed)
            if !failed.isEmpty {
                throw MigrateError(code: "migrate.failed-migration", prisma: "P3009",
                                   "migrate found failed migrations in the target database, new migrations will not be applied: \(failed.map(\.migrationName).joined(separator: ", ")). Fix the database, then run `cutover migrate resolve --rolled-back NAME` (its changes were undone) or `--applied NAME` (finished by hand)")
            }
            let appliedRows = rows.filter(\.isApplied)
            let applied = Set(appliedRows.map(\.migrationName))
            for migration in local where applied.contains(migration.name) {
                report.alreadyApplied += 1
                if let row = appliedRows.last(where: { $0.migrationName == migration.name }), !migration.matches(checksum: row.checksum) {
                    report.modified.append(migration.name)
                }
            }
            if options.strict, !report.modified.isEmpty {
                throw MigrateError(code: "migrate.modified", "applied migrations were edited after they ran: \(report.modified.joined(separator: ", ")); restore the files (or drop --strict)")
            }
            for migration in local where !applied.contains(migration.name) {
                let id = UUID().uuidString.lowercased()
                try await database.insertStarted(id: id, checksum: migration.checksum, name: migration.name)
                do throws(ScriptFailure) {
                    try await database.execute(script: String(decoding: migration.script, as: UTF8.self))
                } catch {
                    let logs = Self.logs(for: error, migration: migration)
                    try await database.markFailed(id: id, logs: logs)
                    throw MigrateError(code: "migrate.script-failed", prisma: "P3018", logs)
                }
                try await database.markFinished(id: id, appliedSteps: 1)
                report.applied.append(migration.name)
            }
            return report
        }
    }

    /// `resolve --rolled-back NAME`: the failed migration's changes were undone; deploy may run it again.
    public func resolveRolledBack(_ name: String) async throws {
        try await withLock {
            let rows = try await existingRows()
            guard let row = rows.last(where: { $0.migrationName == name && $0.isFailed }) else {
                throw MigrateError(code: "migrate.resolve", prisma: "P3012",
                                   "migration \(name) cannot be rolled back because it is not in a failed state")
            }
            try await database.markRolledBack(id: row.id)
        }
    }

    /// `resolve --applied NAME`: the migration's changes are in the database (applied by hand, or a
    /// baseline); deploy will skip it.
    public func resolveApplied(_ migration: LocalMigration) async throws {
        try await withLock {
            if !(try await database.migrationsTableExists()) { try await database.createMigrationsTable() }
            let rows = try await database.rows()
            if rows.contains(where: { $0.migrationName == migration.name && $0.isApplied }) {
                throw MigrateError(code: "migrate.resolve", prisma: "P3008", "the migration \(migration.name) is already recorded as applied in the database")
            }
            for row in rows where row.migrationName == migration.name && row.isFailed {
                try await database.markRolledBack(id: row.id)
            }
            try await database.insertApplied(id: UUID().uuidString.lowercased(), checksum: migration.checksum, name: migration.name)
        }
    }

    /// Status of each local migration against the table, plus rows whose folder is gone.
    public func status(_ local: [LocalMigration]) async throws -> MigrationStatus {
        let rows = try await database.migrationsTableExists() ? try await database.rows() : []
        return MigrationStatus(local: local, rows: rows)
    }

    private func existingRows() async throws -> [MigrationRow] {
        guard try await database.migrationsTableExists() else {
            throw MigrateError(code: "migrate.resolve", "the database has no _prisma_migrations table: nothing was ever deployed to it")
        }
        return try await database.rows()
    }

    /// Runs `body` holding Prisma's session advisory lock, taken by polling so the wait never queues in
    /// the server; P1002 when it cannot be had in time.
    private func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + options.lockWait
        while !(try await database.tryAdvisoryLock(Self.lockKey)) {
            guard ContinuousClock.now < deadline else {
                let seconds = Double(options.lockWait.components.seconds) + Double(options.lockWait.components.attoseconds) / 1e18
                throw MigrateError.lockTimeout(seconds: seconds)
            }
            try await sleep(options.pollInterval)
        }
        do {
            let result = try await body()
            try await database.advisoryUnlock(Self.lockKey)
            return result
        } catch {
            try? await database.advisoryUnlock(Self.lockKey)
            throw error
        }
    }

    /// The text stored in `logs` and shown to people: which migration, the SQLSTATE, the message and
    /// the line and column of the failing position.
    static func logs(for failure: ScriptFailure, migration: LocalMigration) -> String {
        var text = "Migration name: \(migration.name)\n\nDatabase error code: \(failure.sqlState ?? "unknown")\n\nDatabase error:\n\(failure.message)"
        if let line = failure.line, let column = failure.column {
            text += "\n\nPosition: line \(line), column \(column) of \(migration.path)"
        }
        if let detail = failure.detail { text += "\n\nDETAIL: \(detail)" }
        return text
    }
}

/// Where each migration stands: applied, pending, failed, modified since it ran, or only in the database.
public struct MigrationStatus: Sendable, Equatable {
    public var applied: [String] = []
    public var pending: [String] = []
    public var failed: [String] = []
    public var modified: [String] = []
    /// Rows with no folder: ignored by deploy, as Prisma does.
    public var missingLocally: [String] = []

    init(local: [LocalMigration], rows: [MigrationRow]) {
        let names = Set(local.map(\.name))
        for migration in local {
            let mine = rows.filter { $0.migrationName == migration.name }
            if let row = mine.last(where: \.isApplied) {
                applied.append(migration.name)
                if !migration.matches(checksum: row.checksum) { modified.append(migration.name) }
            } else if mine.contains(where: \.isFailed) {
                failed.append(migration.name)
            } else {
                pending.append(migration.name)
            }
        }
        missingLocally = Array(Set(rows.map(\.migrationName)).subtracting(names)).sorted()
    }

    public var upToDate: Bool { pending.isEmpty && failed.isEmpty }
}
