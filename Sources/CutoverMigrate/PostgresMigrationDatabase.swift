import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// `MigrationDatabase` on one PostgreSQL connection (PostgresNIO). One connection on purpose: the
/// advisory lock and the session timeouts belong to the session.
public final class PostgresMigrationDatabase: MigrationDatabase {
    let connection: PostgresConnection
    let schema: String
    /// `"schema"."_prisma_migrations"`, quoted.
    let table: String

    private init(connection: PostgresConnection, schema: String) {
        self.connection = connection
        self.schema = schema
        table = Self.quote(schema) + "." + Self.quote("_prisma_migrations")
    }

    public static func connect(_ url: DatabaseURL) async throws -> PostgresMigrationDatabase {
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                             password: url.password, database: url.database, tls: try tls(url))
        configuration.options.connectTimeout = .seconds(Int64(url.connectTimeoutSeconds))
        // Unqualified names in migration scripts resolve in Prisma's schema, as `?schema=` means for Prisma.
        configuration.options.additionalStartupParameters = [("search_path", quote(url.schema))]
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "cutover.migrate"))
            return PostgresMigrationDatabase(connection: connection, schema: url.schema)
        } catch {
            throw MigrateError(code: "migrate.connect", prisma: "P1001",
                               "cannot reach the database at \(url.redacted): \(describe(error))")
        }
    }

    public func close() async {
        try? await connection.close()
    }

    static func tls(_ url: DatabaseURL) throws -> PostgresConnection.Configuration.TLS {
        switch url.tls {
        case .disable:
            return .disable
        case .prefer, .require, .verifyCA, .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let root = url.rootCertificate {
                configuration.trustRoots = .file(root)
            }
            switch url.tls {
            case .verifyFull: configuration.certificateVerification = .fullVerification
            case .verifyCA: configuration.certificateVerification = .noHostnameVerification
            default: configuration.certificateVerification = .none  // libpq's require/prefer: encrypt, do not verify
            }
            let context = try NIOSSLContext(configuration: configuration)
            return url.tls == .prefer ? .prefer(context) : .require(context)
        }
    }

    public func tryAdvisoryLock(_ key: Int64) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
        for try await locked in rows.decode(Bool.self) { return locked }
        return false
    }

    public func advisoryUnlock(_ key: Int64) async throws {
        _ = try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
    }

    public func setSession(_ name: String, _ value: String) async throws {
        _ = try await connection.query("SELECT set_config(\(name), \(value), false)", logger: logger)
    }

    public func migrationsTableExists() async throws -> Bool {
        let rows = try await connection.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    public func schemaIsEmpty() async throws -> Bool {
        let rows = try await connection.query("""
            SELECT NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'v', 'm', 'p', 'f'))
               AND NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                               WHERE n.nspname = \(schema) AND t.typtype IN ('e', 'c', 'd') AND t.typrelid = 0)
            """, logger: logger)
        for try await empty in rows.decode(Bool.self) { return empty }
        return true
    }

    public func createMigrationsTable() async throws {
        // Prisma's own DDL, column for column.
        _ = try await connection.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE \(table) (
                "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
                "checksum"              VARCHAR(64) NOT NULL,
                "finished_at"           TIMESTAMPTZ,
                "migration_name"        VARCHAR(255) NOT NULL,
                "logs"                  TEXT,
                "rolled_back_at"        TIMESTAMPTZ,
                "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
                "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
            )
            """), logger: logger)
    }

    public func rows() async throws -> [MigrationRow] {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, logs, applied_steps_count
            FROM \(table) ORDER BY started_at ASC
            """), logger: logger)
        var result: [MigrationRow] = []
        for try await (id, checksum, name, started, finished, rolledBack, logs, steps)
            in rows.decode((String, String, String, Date, Date?, Date?, String?, Int32).self) {
            result.append(MigrationRow(id: id, checksum: checksum, migrationName: name, startedAt: started, finishedAt: finished,
                                       rolledBackAt: rolledBack, logs: logs, appliedStepsCount: Int(steps)))
        }
        return result
    }

    public func insertStarted(id: String, checksum: String, name: String) async throws {
        var bindings = PostgresBindings()
        bindings.append(id); bindings.append(checksum); bindings.append(name)
        _ = try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(table) (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)
            """, binds: bindings), logger: logger)
    }

    public func markFinished(id: String, appliedSteps: Int) async throws {
        var bindings = PostgresBindings()
        bindings.append(id); bindings.append(Int32(appliedSteps))
        _ = try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE \(table) SET finished_at = now(), applied_steps_count = $2 WHERE id = $1
            """, binds: bindings), logger: logger)
    }

    public func markFailed(id: String, logs: String) async throws {
        var bindings = PostgresBindings()
        bindings.append(id); bindings.append(logs)
        _ = try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(table) SET logs = $2 WHERE id = $1", binds: bindings), logger: logger)
    }

    public func markRolledBack(id: String) async throws {
        var bindings = PostgresBindings()
        bindings.append(id)
        _ = try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(table) SET rolled_back_at = now() WHERE id = $1", binds: bindings),
                                       logger: logger)
    }

    public func insertApplied(id: String, checksum: String, name: String) async throws {
        var bindings = PostgresBindings()
        bindings.append(id); bindings.append(checksum); bindings.append(name)
        _ = try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(table) (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
            VALUES ($1, $2, $3, now(), now(), 0)
            """, binds: bindings), logger: logger)
    }

    public func execute(script: String) async throws(ScriptFailure) {
        let statements = ScriptStatement.split(script)
        let wrap = statements.count > 1 && !statements.contains { ScriptStatement.transactionControl.contains($0.keyword) }
        do {
            if wrap { _ = try await connection.query("BEGIN", logger: logger) }
        } catch {
            throw ScriptFailure(sqlState: nil, message: Self.describe(error), line: nil, column: nil, detail: nil)
        }
        for statement in statements {
            do {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement.text), logger: logger)
            } catch {
                if wrap { _ = try? await connection.query("ROLLBACK", logger: logger) }
                let info = (error as? PSQLError)?.serverInfo
                let position = info?[.position].flatMap { Int($0) }
                let location = position.map { statement.location(ofPosition: $0) } ?? (line: statement.line, column: statement.column)
                throw ScriptFailure(sqlState: info?[.sqlState], message: info?[.message] ?? Self.describe(error),
                                    line: location.line, column: location.column, detail: info?[.detail])
            }
        }
        do {
            if wrap { _ = try await connection.query("COMMIT", logger: logger) }
        } catch {
            let info = (error as? PSQLError)?.serverInfo
            throw ScriptFailure(sqlState: info?[.sqlState], message: info?[.message] ?? Self.describe(error), line: nil, column: nil, detail: nil)
        }
    }

    private var logger: Logger { Logger(label: "cutover.migrate") }

    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }
}
