import CutoverCore
import CutoverLint
import CutoverTesting
import Foundation
import Testing

/// `lint(migrationsDirectory:)` over a Prisma layout: `<dir>/<name>/migration.sql`.
@Suite("Migrations directory")
struct DirectoryTests {
    private let directory = Paths.repo("Tests/Fixtures/lint/migrations")

    @Test func lintsEveryMigrationInNameOrder() throws {
        let findings = try MigrationLinter.lint(migrationsDirectory: directory)
        #expect(findings.map { "\($0.file) \($0.place)" } == [
            "\(directory)/20240201000000_add_nickname/migration.sql missing-lock-timeout@2:1",
            "\(directory)/20240301000000_drop_legacy/migration.sql drop-column@5:20",
        ])
    }

    @Test func onlyKeepsTheNamedMigrations() throws {
        let pending = try MigrationLinter.lint(migrationsDirectory: directory, only: ["20240301000000_drop_legacy"])
        #expect(pending.map(\.place) == ["drop-column@5:20"])
        #expect(try MigrationLinter.lint(migrationsDirectory: directory, only: ["20240101000000_init"]) == [])
        #expect(try MigrationLinter.lint(migrationsDirectory: directory, only: []) == [])
    }

    @Test func orderIsByNameNotByCreation() throws {
        let root = try Paths.temporaryDirectory("lint")
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["2_second", "10_third", "1_first"] {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try "DROP TABLE \"\(name)\";\n".write(to: folder.appendingPathComponent("migration.sql"), atomically: true, encoding: .utf8)
        }
        try "provider = \"postgresql\"\n".write(to: root.appendingPathComponent("migration_lock.toml"), atomically: true, encoding: .utf8)
        let findings = try MigrationLinter.lint(migrationsDirectory: root.path)
        let tables = findings.filter { $0.rule == "drop-table" }.map { URL(fileURLWithPath: $0.file).deletingLastPathComponent().lastPathComponent }
        // Plain string order, as Prisma sorts migration folder names.
        #expect(tables == ["10_third", "1_first", "2_second"])
    }

    @Test func aMissingDirectoryIsAnError() throws {
        let missing = directory + "-nowhere"
        let error = try #require(throws: LintError.self) { try MigrationLinter.lint(migrationsDirectory: missing) }
        #expect(error.code == "migrate.no-migrations")
        #expect(error.description.contains(missing))
        #expect(error.description.contains("--migrations DIR"))
        #expect(error.exitStatus == .failure)
    }

    @Test func aFileInsteadOfADirectoryIsAnError() throws {
        let file = directory + "/migration_lock.toml"
        let error = try #require(throws: LintError.self) { try MigrationLinter.lint(migrationsDirectory: file) }
        #expect(error.code == "migrate.no-migrations")
    }

    @Test func aMigrationFolderWithoutItsScriptIsAnError() throws {
        let root = try Paths.temporaryDirectory("lint")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("20240101000000_empty"), withIntermediateDirectories: true)
        let error = try #require(throws: LintError.self) { try MigrationLinter.lint(migrationsDirectory: root.path) }
        #expect(error.code == "migrate.no-script")
        #expect(error.description.contains("20240101000000_empty/migration.sql"))
        // A folder `only` leaves out is not read at all.
        #expect(try MigrationLinter.lint(migrationsDirectory: root.path, only: ["other"]) == [])
    }
}
