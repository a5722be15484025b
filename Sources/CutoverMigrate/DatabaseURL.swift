import Foundation

/// A PostgreSQL URL as Prisma takes it: `postgresql://user:password@host:5432/db?schema=public&sslmode=require`.
/// The password stays in memory; `redacted` is what may be printed.
public struct DatabaseURL: Sendable, Equatable {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// Prisma's `?schema=`: where `_prisma_migrations` lives and unqualified names resolve (default public).
    public var schema: String
    public var tls: TLSMode
    /// `sslrootcert`: a CA bundle (Aurora needs Amazon's RDS bundle for verify-full).
    public var rootCertificate: String?
    public var connectTimeoutSeconds: Int

    public init(parsing text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgresql" || scheme == "postgres" else {
            throw MigrateError(code: "migrate.database-url", "the database URL is not a postgresql://user:password@host:port/database URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw MigrateError(code: "migrate.database-url", "the database URL names no host")
        }
        self.host = host
        port = components.port ?? 5432
        user = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        schema = query["schema"].flatMap { $0.isEmpty ? nil : $0 } ?? "public"
        let mode = query["sslmode"] ?? "prefer"
        guard let parsed = TLSMode(rawValue: mode == "allow" ? "prefer" : mode) else {
            throw MigrateError(code: "migrate.database-url", "sslmode=\(mode) is not one of disable, prefer, require, verify-ca, verify-full")
        }
        tls = parsed
        rootCertificate = query["sslrootcert"]
        connectTimeoutSeconds = Int(query["connect_timeout"] ?? "") ?? 10
    }

    /// The URL without its password, for messages and logs.
    public var redacted: String {
        "postgresql://\(user)\(password == nil ? "" : ":****")@\(host):\(port)/\(database)?schema=\(schema)"
    }
}
