import CutoverMigrate
import CutoverTesting
import Foundation
import Testing

/// `cutover migrate` against a real PostgreSQL: what it writes must be what Prisma writes, and what
/// Prisma wrote must be continued.
@Suite("Prisma-compatible migrate on PostgreSQL")
struct PrismaCompatibilityTests {
    static let basic = Paths.repo("Tests/Fixtures/migrations/basic")

    func cutover(_ arguments: [String], database: TestDatabase, directory: String = basic) throws -> ProcessResult {
        try CLI.run(["migrate"] + arguments + ["--migrations", directory], environment: ["DATABASE_URL": database.url])
    }

    /// SHA-256 computed by coreutils, independently of cutover.
    static func sha256(_ path: String) throws -> String {
        String(try Subprocess.run("/usr/bin/sha256sum", [path]).stdout.prefix(64))
    }

    @Test func deployWritesPrismasTableAndRows() throws {
        let database = try TestDatabase()
        let result = try cutover(["deploy"], database: database)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            applied 20240101000000_init
            applied 20240102000000_posts
            applied 20240103000000_nickname
            3 migrations applied to postgresql://postgres@127.0.0.1:\(URL(string: database.url)!.port!)/\(database.name)?schema=public.

            """)
        // The table, column for column, as Prisma creates it.
        let columns = try database.psql("""
            SELECT column_name, data_type, coalesce(character_maximum_length::text, ''), is_nullable, coalesce(column_default, '')
            FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position
            """)
        #expect(columns == """
            id|character varying|36|NO|
            checksum|character varying|64|NO|
            finished_at|timestamp with time zone||YES|
            migration_name|character varying|255|NO|
            logs|text||YES|
            rolled_back_at|timestamp with time zone||YES|
            started_at|timestamp with time zone||NO|now()
            applied_steps_count|integer||NO|0
            """)
        #expect(try database.psql("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '_prisma_migrations'::regclass AND i.indisprimary") == "id")
        let rows = try database.psql("""
            SELECT migration_name, checksum, applied_steps_count, logs IS NULL, rolled_back_at IS NULL, finished_at >= started_at,
                   id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
            FROM _prisma_migrations ORDER BY started_at
            """).split(separator: "\n").map(String.init)
        let names = ["20240101000000_init", "20240102000000_posts", "20240103000000_nickname"]
        #expect(rows == (try names.map { "\($0)|\(try Self.sha256("\(Self.basic)/\($0)/migration.sql"))|1|t|t|t|t" }))
        #expect(try database.psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'nickname'") == "1")

        let again = try cutover(["deploy"], database: database)
        #expect(again.stdout == "No pending migrations to apply (3 already applied).\n")
        #expect(try database.psql("SELECT count(*) FROM _prisma_migrations") == "3")
    }

    @Test func continuesATableThatPrismaWrote() throws {
        let database = try TestDatabase()
        // What `prisma migrate deploy` leaves after the first two migrations (its DDL and row shape).
        try database.psql("""
            CREATE TABLE "_prisma_migrations" (
                "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
                "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
                "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0);
            """)
        for (index, name) in ["20240101000000_init", "20240102000000_posts"].enumerated() {
            let path = "\(Self.basic)/\(name)/migration.sql"
            try database.psql(String(contentsOfFile: path, encoding: .utf8))
            try database.psql("""
                INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
                VALUES ('\(UUID().uuidString.lowercased())', '\(try Self.sha256(path))', now(), '\(name)', now() - interval '\(10 - index) minutes', 1)
                """)
        }
        // A row whose folder is gone is ignored, as Prisma ignores it.
        try database.psql("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ('\(UUID().uuidString.lowercased())', 'x', now(), '20231231000000_removed', 1)")
        let result = try cutover(["deploy"], database: database)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("applied 20240103000000_nickname\n1 migration applied"))
        let status = try cutover(["status", "--json"], database: database)
        #expect(status.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["missingLocally"] as? [String] == ["20231231000000_removed"])
        #expect((object["applied"] as? [String])?.count == 3)
    }

    @Test func aFailedMigrationLeavesNoPartialChangeAndBlocksUntilResolved() throws {
        let database = try TestDatabase()
        let dir = try Paths.temporaryDirectory("migrations")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: Self.basic, toPath: dir.appendingPathComponent("m").path)
        let folder = dir.appendingPathComponent("m/20240104000000_broken")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "CREATE TABLE \"Audit\" (\"id\" SERIAL PRIMARY KEY);\nINSERT INTO \"Nope\" VALUES (1);\n"
            .write(to: folder.appendingPathComponent("migration.sql"), atomically: true, encoding: .utf8)
        let migrations = dir.appendingPathComponent("m").path

        let failed = try cutover(["deploy"], database: database, directory: migrations)
        #expect(failed.status == 1)
        #expect(failed.stdout.hasPrefix("") && failed.stderr.hasPrefix("error[migrate.script-failed]: P3018: Migration name: 20240104000000_broken\n\nDatabase error code: 42P01\n\nDatabase error:\nrelation \"Nope\" does not exist\n\nPosition: line 2, column 13 of \(migrations)/20240104000000_broken/migration.sql"))
        // The whole file ran as one transaction: the table created before the error is not there.
        #expect(try database.psql("SELECT to_regclass('\"Audit\"') IS NULL") == "t")
        #expect(try database.psql("SELECT finished_at IS NULL, logs LIKE '%42P01%' FROM _prisma_migrations WHERE migration_name = '20240104000000_broken'") == "t|t")
        // The three good ones were applied before it.
        #expect(try database.psql("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL") == "3")

        let blocked = try cutover(["deploy"], database: database, directory: migrations)
        #expect(blocked.status == 1)
        #expect(blocked.stderr.hasPrefix("error[migrate.failed-migration]: P3009: migrate found failed migrations in the target database, new migrations will not be applied: 20240104000000_broken."))

        try "CREATE TABLE \"Audit\" (\"id\" SERIAL PRIMARY KEY);\n".write(to: folder.appendingPathComponent("migration.sql"), atomically: true, encoding: .utf8)
        let resolved = try cutover(["resolve", "--rolled-back", "20240104000000_broken"], database: database, directory: migrations)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        let fixed = try cutover(["deploy"], database: database, directory: migrations)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(try database.psql("SELECT count(*) FROM _prisma_migrations WHERE migration_name = '20240104000000_broken'") == "2")
        #expect(try database.psql("SELECT to_regclass('\"Audit\"') IS NOT NULL") == "t")
    }

    @Test func refusesANonEmptySchemaWithoutTheTableUntilBaselined() throws {
        let database = try TestDatabase()
        try database.psql("CREATE TABLE legacy (id int)")
        let result = try cutover(["deploy"], database: database)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error[migrate.not-empty]: P3005: the database schema is not empty"))
        #expect(try database.psql("SELECT to_regclass('_prisma_migrations') IS NULL") == "t")
        try database.psql(String(contentsOfFile: "\(Self.basic)/20240101000000_init/migration.sql", encoding: .utf8))
        #expect(try cutover(["resolve", "--applied", "20240101000000_init"], database: database).status == 0)
        let deploy = try cutover(["deploy"], database: database)
        #expect(deploy.status == 0, "\(deploy.stderr)")
        #expect(deploy.stdout.hasPrefix("applied 20240102000000_posts\napplied 20240103000000_nickname\n"))
    }

    @Test func anEditedAppliedMigrationIsReportedAndStrictFails() throws {
        let database = try TestDatabase()
        let dir = try Paths.temporaryDirectory("migrations")
        defer { try? FileManager.default.removeItem(at: dir) }
        let migrations = dir.appendingPathComponent("m").path
        try FileManager.default.copyItem(atPath: Self.basic, toPath: migrations)
        #expect(try cutover(["deploy"], database: database, directory: migrations).status == 0)
        // Line endings alone do not count (Prisma accepts LF<->CRLF); a real edit does.
        let crlf = "\(migrations)/20240103000000_nickname/migration.sql"
        try String(contentsOfFile: crlf, encoding: .utf8).replacingOccurrences(of: "\r\n", with: "\n").write(toFile: crlf, atomically: true, encoding: .utf8)
        let clean = try cutover(["deploy"], database: database, directory: migrations)
        #expect(!clean.stderr.contains("warning"))
        try "-- edited\n".appending(try String(contentsOfFile: "\(migrations)/20240101000000_init/migration.sql", encoding: .utf8))
            .write(toFile: "\(migrations)/20240101000000_init/migration.sql", atomically: true, encoding: .utf8)
        let warned = try cutover(["deploy"], database: database, directory: migrations)
        #expect(warned.status == 0)
        #expect(warned.stderr == "warning: migration 20240101000000_init was edited after it was applied (its checksum differs); pass --strict to fail on this\n")
        let strict = try cutover(["deploy", "--strict"], database: database, directory: migrations)
        #expect(strict.status == 1)
        #expect(strict.stderr.hasPrefix("error[migrate.modified]:"))
    }

    @Test func fourDeploysAtOnceApplyEachMigrationOnce() async throws {
        let database = try TestDatabase()
        let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for _ in 0..<4 {
                group.addTask { try CLI.run(["migrate", "deploy", "--migrations", Self.basic, "--lock-wait", "60"], environment: ["DATABASE_URL": database.url]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(try database.psql("SELECT count(*), count(DISTINCT migration_name) FROM _prisma_migrations") == "3|3")
        #expect(results.map { $0.stdout.components(separatedBy: "applied 2024").count - 1 }.reduce(0, +) == 3)
    }

    @Test func aWaitingDeployTimesOutWithP1002() async throws {
        let database = try TestDatabase()
        // Someone holds Prisma's lock (a long deploy) in another session. The session is this test's own
        // connection rather than a psql child: taking the lock is then a call that returns once it is
        // held, not a process to poll for (polling a child flaked under load in CI).
        let holder = try await PostgresMigrationDatabase.connect(try DatabaseURL(parsing: database.url))
        try #require(try await holder.tryAdvisoryLock(72707369), "nobody else may hold the lock in a fresh database")
        #expect(try database.psql("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND locktype = 'advisory' AND objid = 72707369 AND granted") == "1")
        let result = try CLI.run(["migrate", "deploy", "--migrations", Self.basic, "--lock-wait", "0.5"], environment: ["DATABASE_URL": database.url])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error[migrate.lock-timeout]: P1002: timed out after 0.5 s waiting for the migration advisory lock"))
        // It waited without queueing in the server: no session of ours is blocked on the lock.
        #expect(try database.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == "0")
        #expect(try database.psql("SELECT to_regclass('_prisma_migrations') IS NULL") == "t")
        await holder.close()
    }

    @Test func statusExitsThreeWhilePendingAndDryRunChangesNothing() throws {
        let database = try TestDatabase()
        let dry = try cutover(["deploy", "--dry-run"], database: database)
        #expect(dry.status == 0)
        #expect(dry.stdout.hasPrefix("3 pending migrations would be applied to postgresql://postgres@127.0.0.1:"))
        #expect(try database.psql("SELECT to_regclass('_prisma_migrations') IS NULL") == "t")
        let status = try cutover(["status"], database: database)
        #expect(status.status == 3)
        #expect(status.stdout.contains("pending:\n  20240101000000_init\n  20240102000000_posts\n  20240103000000_nickname\n"))
    }

    @Test func theDatabaseURLComesFromTheEnvironmentNeverAFile() throws {
        let database = try TestDatabase()
        let dir = try Paths.temporaryDirectory("schema")
        defer { try? FileManager.default.removeItem(at: dir) }
        let schema = dir.appendingPathComponent("schema.prisma").path
        try "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"SPECTATE_DB\")\n}\n".write(toFile: schema, atomically: true, encoding: .utf8)
        let viaSchema = try CLI.run(["migrate", "status", "--migrations", Self.basic, "--schema", schema], environment: ["SPECTATE_DB": database.url])
        #expect(viaSchema.status == 3, "\(viaSchema.stderr)")
        let missing = try CLI.run(["migrate", "deploy", "--migrations", Self.basic], environment: ["DATABASE_URL": ""])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error[migrate.database-url]: no database URL: set DATABASE_URL (in Jenkins, bind it with withCredentials) or pass --database-url\n")
        // A password never appears in output.
        let secret = database.url.replacingOccurrences(of: "postgres@", with: "postgres:s3cret-pw@")
        let run = try CLI.run(["migrate", "status", "--migrations", Self.basic], environment: ["DATABASE_URL": secret])
        #expect(!run.stdout.contains("s3cret-pw") && !run.stderr.contains("s3cret-pw"))
    }

    @Test func tlsVerifiesTheServerAgainstTheGivenCABundle() throws {
        let database = try TestDatabase()
        let ca = try #require(TestDatabase.certificateAuthority)
        let verified = try CLI.run(["migrate", "status", "--migrations", Self.basic],
                                   environment: ["DATABASE_URL": database.url + "?sslmode=verify-full&sslrootcert=\(ca)"])
        #expect(verified.status == 3, "\(verified.stderr)")
        // A CA that did not sign the server's certificate: verify-full must refuse to connect.
        let dir = try Paths.temporaryDirectory("ca")
        defer { try? FileManager.default.removeItem(at: dir) }
        let other = dir.appendingPathComponent("other.pem").path
        _ = try Subprocess.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other",
                                                    "-keyout", dir.appendingPathComponent("other.key").path, "-out", other])
        let refused = try CLI.run(["migrate", "status", "--migrations", Self.basic],
                                  environment: ["DATABASE_URL": database.url + "?sslmode=verify-full&sslrootcert=\(other)"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error[migrate.connect]: P1001: cannot reach the database at "))
        // require: encrypted without verifying, as libpq means it.
        let required = try CLI.run(["migrate", "status", "--migrations", Self.basic], environment: ["DATABASE_URL": database.url + "?sslmode=require"])
        #expect(required.status == 3, "\(required.stderr)")
    }
}
