import ArgumentParser
import CutoverCore
import CutoverMigrate
import Foundation

struct MigrateResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Mark a failed migration rolled back, or a migration applied (Prisma's meanings).",
        discussion: """
        --rolled-back NAME: the failed migration's changes were undone; the next deploy runs it again.
        --applied NAME: its changes are in the database (finished by hand, or a baseline); deploy skips it.
        """
    )

    @OptionGroup var source: MigrationOptions
    @OptionGroup var safety: MigrationSafetyOptions
    @Option(name: .long, help: ArgumentHelp("Record this migration as applied.", valueName: "name"))
    var applied: String?
    @Option(name: .long, help: ArgumentHelp("Record this failed migration as rolled back.", valueName: "name"))
    var rolledBack: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (applied == nil) != (rolledBack == nil) else {
            throw ValidationError("pass exactly one of --applied NAME or --rolled-back NAME")
        }
    }

    func run() async throws {
        try await reporting(json: output.json) {
            let local = try MigrationsDirectory.load(source.migrations)
            let url = try await source.resolvedURL()
            try await withMigrationDatabase(url) { database in
                let migrator = Migrator(database: database, options: safety.options())
                if let name = rolledBack {
                    try await migrator.resolveRolledBack(name)
                    if output.json { printJSON(["ok": true, "rolledBack": name]) } else { print("Migration \(name) marked as rolled back.") }
                } else if let name = applied {
                    guard let migration = local.first(where: { $0.name == name }) else {
                        throw MigrateError(code: "migrate.resolve", prisma: "P3017", "migration \(name) is not in \(source.migrations)")
                    }
                    try await migrator.resolveApplied(migration)
                    if output.json { printJSON(["ok": true, "applied": name]) } else { print("Migration \(name) marked as applied.") }
                }
            }
        }
    }
}
