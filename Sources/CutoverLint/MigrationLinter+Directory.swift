import Foundation

extension MigrationLinter {
    /// Lints `<dir>/<name>/migration.sql` for every migration folder of a Prisma layout, in name
    /// order (the order Prisma applies them). `only` keeps just those folder names, e.g. the
    /// pending ones; the caller decides which. Files in `migrationsDirectory` itself, such as
    /// `migration_lock.toml`, are not migrations and are skipped.
    ///
    /// - Throws: `LintError` `migrate.no-migrations` when the folder does not exist,
    ///   `migrate.no-script` when a migration folder has no migration.sql, `migrate.unreadable`
    ///   when one is not UTF-8.
    public static func lint(migrationsDirectory: String, only: Set<String>? = nil) throws -> [LintFinding] {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: migrationsDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LintError.noMigrations(migrationsDirectory)
        }
        let names = try fileManager.contentsOfDirectory(atPath: migrationsDirectory).sorted()
        var findings: [LintFinding] = []
        for name in names where only?.contains(name) ?? true {
            let folder = (migrationsDirectory as NSString).appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard fileManager.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else { continue }
            let file = folder + "/migration.sql"
            guard let data = fileManager.contents(atPath: file) else { throw LintError.noScript(file) }
            guard let sql = String(data: data, encoding: .utf8) else { throw LintError.unreadable(file) }
            findings += lint(sql: sql, file: file)
        }
        return findings
    }
}
