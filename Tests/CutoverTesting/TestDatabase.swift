import Foundation

/// A fresh PostgreSQL database per test, on the private cluster `scripts/test-postgres` starts (Debian's
/// PostgreSQL on a loopback port). `scripts/test` starts one cluster for the whole run and exports
/// `CUTOVER_TEST_DATABASE_URL`; without it, the first test starts one and stops it when the process exits.
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

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: (url: String, dir: String)?

    static func adminURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["CUTOVER_TEST_DATABASE_URL"], !url.isEmpty { return url }
        lock.lock()
        defer { lock.unlock() }
        if let started { return started.url }
        let result = try Subprocess.run("/bin/bash", [Paths.repo("scripts/test-postgres")])
        guard result.status == 0 else { throw DatabaseError(message: "could not start PostgreSQL: \(result.stderr)") }
        var url = "", dir = ""
        for line in result.stdout.split(separator: "\n") {
            if line.hasPrefix("export CUTOVER_TEST_DATABASE_URL=") { url = String(line.dropFirst("export CUTOVER_TEST_DATABASE_URL=".count)) }
            if line.hasPrefix("export CUTOVER_TEST_PGDIR=") { dir = String(line.dropFirst("export CUTOVER_TEST_PGDIR=".count)) }
        }
        started = (url, dir)
        atexit {
            if let dir = TestDatabase.started?.dir {
                _ = try? Subprocess.run("/bin/bash", [Paths.repo("scripts/test-postgres"), "stop", dir])
            }
        }
        return url
    }
}
