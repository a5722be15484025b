import Crypto
import CutoverCore
import Foundation

/// One migration folder of a Prisma layout: `<dir>/<name>/migration.sql`.
public struct LocalMigration: Sendable, Equatable {
    public var name: String
    public var path: String
    public var script: Data

    /// Lowercase hex SHA-256 of the file as it is: the `checksum` Prisma stores.
    public var checksum: String { Self.sha256(script) }

    /// Prisma accepts an applied migration whose file differs only in line endings.
    public func matches(checksum stored: String) -> Bool {
        if stored == checksum { return true }
        let text = String(decoding: script, as: UTF8.self)
        let lf = text.replacingOccurrences(of: "\r\n", with: "\n")
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        return stored == Self.sha256(Data(lf.utf8)) || stored == Self.sha256(Data(crlf.utf8))
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).lowercaseHex
    }
}

/// The migrations folder: every subfolder with a `migration.sql`, in name order, as Prisma reads it.
public enum MigrationsDirectory {
    public static func load(_ path: String) throws -> [LocalMigration] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MigrateError(code: "migrate.no-migrations", "\(path) is not a migrations folder: pass --migrations DIR (the folder holding <name>/migration.sql)")
        }
        let lock = (path as NSString).appendingPathComponent("migration_lock.toml")
        if let text = try? String(contentsOfFile: lock, encoding: .utf8) {
            let provider = text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("provider") }
                .flatMap { $0.split(separator: "=", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if provider != "postgresql" {
                throw MigrateError(code: "migrate.provider", prisma: "P3019",
                                   "\(lock) names the provider '\(provider ?? "none")'; cutover migrates PostgreSQL (provider = \"postgresql\")")
            }
        }
        let names = try fm.contentsOfDirectory(atPath: path).sorted()
        return try names.compactMap { name -> LocalMigration? in
            let file = (path as NSString).appendingPathComponent(name) + "/migration.sql"
            var folder: ObjCBool = false
            guard fm.fileExists(atPath: (path as NSString).appendingPathComponent(name), isDirectory: &folder), folder.boolValue else { return nil }
            guard let data = fm.contents(atPath: file) else {
                throw MigrateError(code: "migrate.no-script", "\(file) is missing: every migration folder needs its migration.sql")
            }
            return LocalMigration(name: name, path: file, script: data)
        }
    }
}
