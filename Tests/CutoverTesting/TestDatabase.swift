import Foundation

/// A fresh PostgreSQL database per test, on the private cluster `scripts/test-postgres` starts (Debian's
/// PostgreSQL on a loopback port). `scripts/test` starts one cluster for the whole run and exports
/// `CUTOVER_TEST_DATABASE_URL` and `CUTOVER_TEST_PG_CA`.
public final class TestDatabase: @unchecked Sendable {
    /// `postgresql://postgres@127.0.0.1:PORT/NAME`.
    public let url: String
    public let name: String

    public init() throws {
        let admin = try Self.adminURL()
        name = "cutover_test_" + UUID().uuidString.prefix(8).lowercased()
        try Self.psql(admin, "CREATE DATABASE \(name)")
        url = String(admin[..<admin.lastIndex(of: "/")!]) + "/" + name
    }

    deinit {
        if let admin = try? Self.adminURL() {
            _ = try? Self.psql(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// Runs SQL with psql (an independent client) and returns its unaligned, tuples-only output.
    @discardableResult
    public func psql(_ sql: String) throws -> String {
        try Self.psql(url, sql)
    }

    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let result = try Subprocess.run(Subprocess.which("psql") ?? "/usr/bin/psql",
                                        [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw DatabaseError(message: "psql failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct DatabaseError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The CA that signed the test cluster's server certificate (for sslmode=verify-full).
    public static var certificateAuthority: String? {
        ProcessInfo.processInfo.environment["CUTOVER_TEST_PG_CA"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func adminURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["CUTOVER_TEST_DATABASE_URL"], !url.isEmpty else {
            throw DatabaseError(message: "no test PostgreSQL: run the tests with scripts/test, or first eval \"$(scripts/test-postgres)\"")
        }
        return url
    }
}
