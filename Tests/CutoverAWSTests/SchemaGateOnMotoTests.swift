import CutoverTesting
import Foundation
import Testing

/// Schema-aware releases on the real PostgreSQL of the tests plus moto: promote needs the release's
/// migrations applied, rollback refuses to cross a contract migration, overrides are journaled, and a
/// database migrated by Prisma itself gets a record built from `_prisma_migrations`.
@Suite(.serialized) struct SchemaGateOnMotoTests {
    let release = Scenario.release

    struct Setup {
        var scenario: Scenario
        let database: TestDatabase
        let migrations: URL

        func write(_ name: String, _ sql: String) throws {
            let folder = migrations.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try sql.write(to: folder.appendingPathComponent("migration.sql"), atomically: true, encoding: .utf8)
        }

        /// cutover with the database URL in the environment, as the db-migration pipeline binds it.
        func run(_ arguments: [String], config: Bool = true) throws -> ProcessResult {
            var environment = scenario.runEnvironment
            environment["DATABASE_URL"] = database.url
            return try CLI.run(arguments + (config ? ["-c", scenario.config] : []), environment: environment)
        }

        func migrate(_ release: String?) throws -> ProcessResult {
            try run(["migrate", "deploy", "--migrations", migrations.path] + (release.map { ["--release", $0, "--env", "staging"] } ?? []))
        }

        func schemaJournal() throws -> String {
            try String(contentsOf: scenario.stateDirectory.appendingPathComponent("spectate/staging/schema.json"), encoding: .utf8)
        }
    }

    func setUp(steps: [Int] = [100]) throws -> Setup {
        let scenario = try Scenario(steps: steps, database: true)
        let migrations = scenario.directory.appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
        try "provider = \"postgresql\"\n".write(to: migrations.appendingPathComponent("migration_lock.toml"), atomically: true, encoding: .utf8)
        let setup = Setup(scenario: scenario, database: try TestDatabase(), migrations: migrations)
        try setup.write("20260101000000_init", "CREATE TABLE event (id integer PRIMARY KEY, name text, legacy text);\n")
        return setup
    }

    @Test func aReleaseWhoseMigrationFailedIsRefusedUntilFixed() throws {
        let setup = try setUp()
        try setup.write("20260102000000_bad", "ALTER TABLE event ADD COLUMN score integer;\nSELECT no_such_function();\n")
        let failed = try setup.migrate(release)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(try setup.schemaJournal().contains("\"succeeded\" : false"))
        let refused = try setup.run(["promote", "--release", release])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error[promote.schema]"), "\(refused.stderr)")
        #expect(refused.stderr.contains("20260102000000_bad failed"), "\(refused.stderr)")
        #expect(try setup.scenario.testbed.log().allSatisfy { !["ModifyListener", "ModifyRule"].contains($0["action"] as? String ?? "") })

        // The fix: mark it rolled back, correct the file, migrate again.
        #expect(try setup.run(["migrate", "resolve", "--migrations", setup.migrations.path, "--rolled-back", "20260102000000_bad"], config: false).status == 0)
        try setup.write("20260102000000_bad", "ALTER TABLE event ADD COLUMN score integer;\n")
        let fixed = try setup.migrate(release)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let promote = try setup.run(["promote", "--release", release])
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(promote.stderr.contains("schema: the database has all 2 migrations release r2 needs"), "\(promote.stderr)")
    }

    @Test func promoteIsRefusedWhenTheDatabaseLostAMigrationTheReleaseRecorded() throws {
        let setup = try setUp()
        #expect(try setup.migrate(release).status == 0)
        // Someone marks r2's migration rolled back behind cutover's back.
        try setup.database.psql("UPDATE _prisma_migrations SET rolled_back_at = now()")
        let refused = try setup.run(["promote", "--release", release])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the database no longer has 1 migration release r2 was migrated with: 20260101000000_init"), "\(refused.stderr)")
        // --force needs a reason, and the reason is journaled.
        #expect(try setup.run(["promote", "--release", release, "--force"]).stderr.contains("needs --reason"))
        let forced = try setup.run(["promote", "--release", release, "--force", "--reason", "restored from a snapshot; schema verified by DBA"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let journal = try String(contentsOf: setup.scenario.stateDirectory.appendingPathComponent("spectate/staging/releases/r2.json"), encoding: .utf8)
        #expect(journal.contains("schema check overridden"))
        #expect(journal.contains("restored from a snapshot; schema verified by DBA"))
    }

    @Test func rollbackRefusesToCrossADroppedColumnAndCrossesExpandOnlyMigrations() throws {
        let setup = try setUp()
        #expect(try setup.migrate(release).status == 0)
        #expect(try setup.run(["promote", "--release", release]).status == 0)
        // r3's migrations: one expand, and one that drops a column the release before r2 still reads.
        try setup.write("20260103000000_nickname", "ALTER TABLE event ADD COLUMN nickname text;\n")
        #expect(try setup.migrate("r3").status == 0)
        let expandOnly = try setup.run(["rollback", "--release", release, "--dry-run"])
        #expect(expandOnly.status == 0, "expand-only history rolls back: \(expandOnly.stderr)")
        #expect(expandOnly.stderr.contains("none of them contract"), "\(expandOnly.stderr)")

        try setup.write("20260104000000_drop_legacy", "ALTER TABLE event DROP COLUMN legacy;\n")
        #expect(try setup.migrate("r3").status == 0)
        #expect(try setup.schemaJournal().contains("drop-column"))
        let refused = try setup.run(["rollback", "--release", release])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error[rollback.schema]"), "\(refused.stderr)")
        #expect(refused.stderr.contains("20260104000000_drop_legacy (contract (drop-column))"), "\(refused.stderr)")
        #expect(refused.stderr.contains("by release r3"), "\(refused.stderr)")
        #expect(refused.stderr.contains("fix forward"), "\(refused.stderr)")
        #expect(try setup.scenario.splits().values.allSatisfy { ($0["stg-frontend-green"] ?? 100) == 100 }, "nothing moved")

        let status = try setup.run(["status", "--migrations", setup.migrations.path, "--json"])
        let schema = (try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["schema"] as? [String: Any]
        #expect(schema?["lastApplied"] as? String == "20260104000000_drop_legacy", "\(status.stdout)")
        #expect(schema?["appliedBy"] as? String == "r3")
        #expect((schema?["pending"] as? [String])?.isEmpty == true)
        #expect(schema?["source"] as? String == "database")
        let text = try setup.run(["status"])
        #expect(text.stdout.contains("schema: last applied 20260104000000_drop_legacy (by release r3)"), "\(text.stdout)")

        let forced = try setup.run(["rollback", "--release", release, "--force", "--reason", "old code never reads legacy"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let journal = try String(contentsOf: setup.scenario.stateDirectory.appendingPathComponent("spectate/staging/releases/r2.json"), encoding: .utf8)
        #expect(journal.contains("old code never reads legacy"))
    }

    @Test func aDatabaseMigratedByPrismaGetsARecordFromItsTableAndTheFiles() throws {
        let setup = try setUp()
        try setup.write("20260102000000_rename", "ALTER TABLE event RENAME COLUMN name TO title;\n")
        // Applied without --release: exactly what `prisma migrate deploy` leaves behind.
        #expect(try setup.migrate(nil).status == 0)
        let promote = try setup.run(["promote", "--release", release, "--migrations", setup.migrations.path])
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(promote.stderr.contains("built one from _prisma_migrations (2 migrations"), "\(promote.stderr)")
        let journal = try setup.schemaJournal()
        #expect(journal.contains("built from _prisma_migrations"))
        #expect(journal.contains("\"rename\""), "the rename is classed contract by the lint of its file: \(journal)")
        let status = try setup.run(["migrate", "status", "--migrations", setup.migrations.path, "--json"], config: false)
        let document = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let classes = document?["classes"] as? [String: [String: Any]]
        #expect(classes?["20260102000000_rename"]?["kind"] as? String == "contract")
        #expect(classes?["20260101000000_init"]?["kind"] as? String == "expand")
    }

    @Test func aDeclaredContractMigrationPassesLintOnlyOnceNoOlderReleaseTakesTraffic() throws {
        let setup = try setUp()
        #expect(try setup.migrate(release).status == 0)
        #expect(try setup.run(["promote", "--release", release]).status == 0)
        try setup.write("20260102000000_nickname", "ALTER TABLE event ADD COLUMN nickname text;\n")
        #expect(try setup.migrate("r3").status == 0)
        // Prepared by r3, which does not take traffic yet: r2's code may still read `legacy`.
        try setup.write("20260103000000_drop_legacy", "-- cutover:contract after r3\nSET lock_timeout = '5s';\nALTER TABLE event DROP COLUMN legacy;\n")
        let early = try setup.run(["migrate", "lint", "--migrations", setup.migrations.path, "--all", "--lock-timeout", "5s", "--env", "staging"])
        #expect(early.status == 1, "\(early.stdout)\(early.stderr)")
        #expect(early.stderr.contains("releases older than r3 still take traffic"), "\(early.stderr)")
        #expect(early.stderr.contains("runs r2 (100%)"), "\(early.stderr)")
        // Prepared by r2, which is what every route runs: accepted.
        try setup.write("20260103000000_drop_legacy", "-- cutover:contract after r2\nSET lock_timeout = '5s';\nALTER TABLE event DROP COLUMN legacy;\n")
        let accepted = try setup.run(["migrate", "lint", "--migrations", setup.migrations.path, "--all", "--lock-timeout", "5s", "--env", "staging"])
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        #expect(accepted.stderr.contains("accepted: no colour taking traffic in staging runs an older release"), "\(accepted.stderr)")
    }
}
