import CutoverCore
import CutoverLint
import CutoverMigrate
import CutoverState
import CutoverSteps
import Foundation

/// What `migrate deploy --release`, promote, rollback and status share about the schema: the class of
/// each local migration, the record of a run, and the database's applied set when it can be reached.
enum SchemaRecording {
    static func record(_ migration: LocalMigration) -> MigrationRecord {
        MigrationRecord(name: migration.name, checksum: migration.checksum,
                        migrationClass: MigrationLinter.classify(sql: String(decoding: migration.script, as: UTF8.self), file: migration.path))
    }

    /// Who ran it: the Jenkins build, else the user.
    static var by: String? {
        let environment = ProcessInfo.processInfo.environment
        return environment["BUILD_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["USER"]
    }

    /// A run for a database Prisma migrated (no cutover record): every applied row, classed from the
    /// local files where they exist.
    static func run(builtFrom rows: [MigrationRow], local: [LocalMigration], release: String) -> SchemaRun {
        let byName = Dictionary(local.map { ($0.name, $0) }) { first, _ in first }
        let applied = rows.filter(\.isApplied).sorted { $0.startedAt < $1.startedAt }.map { row in
            byName[row.migrationName].map(record)
                ?? MigrationRecord(name: row.migrationName, checksum: row.checksum, migrationClass: MigrationClass(kind: .expand, rules: ["no local file"]))
        }
        let failed = rows.first(where: \.isFailed).map { row in
            byName[row.migrationName].map(record) ?? MigrationRecord(name: row.migrationName, checksum: row.checksum, migrationClass: MigrationClass(kind: .expand))
        }
        return SchemaRun(release: release, at: Date(), by: by, succeeded: failed == nil, applied: applied, alreadyApplied: [],
                         failed: failed, error: failed.map { "\($0.name) is failed in _prisma_migrations" }, source: "built from _prisma_migrations")
    }
}

extension SchemaRecording {
    /// The migrations the database holds as applied, when `DATABASE_URL` is set here; nil otherwise
    /// (the promote pipeline need not bind the database credential: the journal is then the evidence).
    static func databaseRows() async throws -> [MigrationRow]? {
        guard let text = ProcessInfo.processInfo.environment["DATABASE_URL"], !text.isEmpty else { return nil }
        let url = try DatabaseURL(parsing: text)
        return try await withMigrationDatabase(url) { database in
            try await database.migrationsTableExists() ? try await database.rows() : []
        }
    }

    /// The promotion gate for `release`, building the record from `_prisma_migrations` (and the local
    /// migration files, for their classes) when cutover never recorded one and the database is reachable.
    static func promotionVerdict(system: String, environment: String, release: String, store: any StateStore,
                                 migrations: String) async throws -> SchemaGate.Verdict {
        let journals = SchemaJournalStore(store: store)
        var journal = try await journals.load(system: system, environment: environment)
        let rows = try await databaseRows()
        var built: [String] = []
        if journal?.latest(release) == nil, let rows, !rows.isEmpty {
            let local = (try? MigrationsDirectory.load(migrations)) ?? []
            let seen = Set((journal?.runs ?? []).flatMap { $0.applied.map(\.name) + $0.alreadyApplied })
            var run = run(builtFrom: rows.filter { !seen.contains($0.migrationName) }, local: local, release: release)
            run.alreadyApplied = rows.filter { $0.isApplied && seen.contains($0.migrationName) }.map(\.migrationName)
            try await journals.append(run, system: system, environment: environment)
            journal = try await journals.load(system: system, environment: environment)
            built.append("schema: no cutover record for \(release): built one from _prisma_migrations (\(run.applied.count) migrations, classed from \(local.isEmpty ? "no local files" : migrations))")
        }
        var verdict = SchemaGate.promotion(of: release, journal: journal, appliedInDatabase: rows.map { Set($0.filter(\.isApplied).map(\.migrationName)) })
        verdict.lines = built + verdict.lines
        return verdict
    }

    /// Prints the gate's lines; refuses (`code`) unless `--force` comes with a reason, and returns the
    /// override to journal when it does.
    static func enforce(_ verdict: SchemaGate.Verdict, code: String, what: String, force: Bool, reason: String?) throws -> [String] {
        verdict.lines.forEach(progressToStderr)
        guard let problem = verdict.problem else { return [] }
        guard force, let reason, !reason.isEmpty else {
            throw StepError(code: code, message: "\(what) refused before any change: \(problem)" + (force ? "\nhint: --force over the schema check needs --reason TEXT" : ""))
        }
        progressToStderr("schema: overridden with --force: \(reason)")
        return ["schema check overridden (\(problem.split(separator: "\n").first ?? "")): \(reason)"]
    }
}
