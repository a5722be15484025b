import ArgumentParser
import CutoverCore
import CutoverMigrate
import Foundation

struct MigrateDeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Apply pending migrations, exactly as `prisma migrate deploy` does.",
        discussion: """
        Creates _prisma_migrations when absent (only in an empty schema: P3005 otherwise), refuses while a \
        failed migration is unresolved (P3009), takes Prisma's advisory lock (72707369; P1002 when it cannot be \
        had within --lock-wait), and runs each pending migration.sql as one simple query, so PostgreSQL runs it \
        as one transaction: a failing migration (P3018) leaves no partial change and is recorded as failed. \
        Applied migrations whose file changed since they ran are reported (with --strict, they fail the deploy).
        """
    )

    @OptionGroup var source: MigrationOptions
    @OptionGroup var safety: MigrationSafetyOptions
    @Flag(name: .long, help: "Fail when an applied migration's file was edited after it ran.")
    var strict = false
    @Flag(name: .long, help: "Change nothing: list the migrations that would be applied.")
    var dryRun = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reporting(json: output.json) {
            let local = try MigrationsDirectory.load(source.migrations)
            let url = try await source.resolvedURL()
            try await withMigrationDatabase(url) { database in
                let migrator = Migrator(database: database, options: safety.options(strict: strict))
                if dryRun {
                    let pending = try await migrator.pending(local).map(\.name)
                    if output.json {
                        printJSON(["ok": true, "dryRun": true, "database": url.redacted, "pending": pending])
                    } else {
                        print("\(pending.count) pending migration\(pending.count == 1 ? "" : "s") would be applied to \(url.redacted):")
                        pending.forEach { print("  \($0)") }
                    }
                    return
                }
                let report = try await migrator.deploy(local)
                for name in report.modified {
                    printError("warning: migration \(name) was edited after it was applied (its checksum differs); pass --strict to fail on this")
                }
                if output.json {
                    printJSON(["ok": true, "database": url.redacted, "applied": report.applied, "alreadyApplied": report.alreadyApplied,
                               "modified": report.modified, "createdMigrationsTable": report.createdTable])
                } else {
                    for name in report.applied { print("applied \(name)") }
                    print(report.applied.isEmpty ? "No pending migrations to apply (\(report.alreadyApplied) already applied)."
                        : "\(report.applied.count) migration\(report.applied.count == 1 ? "" : "s") applied to \(url.redacted).")
                }
            }
        }
    }
}
