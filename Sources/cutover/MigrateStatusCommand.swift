import ArgumentParser
import CutoverCore
import CutoverMigrate
import Foundation

struct MigrateStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show applied, pending, failed and modified migrations.",
        discussion: "Exit code 0 when the database is up to date, 3 when migrations are pending or failed."
    )

    @OptionGroup var source: MigrationOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reporting(json: output.json) {
            let local = try MigrationsDirectory.load(source.migrations)
            let url = try await source.resolvedURL()
            let status = try await withMigrationDatabase(url) { try await Migrator(database: $0).status(local) }
            if output.json {
                // Each local migration's class (expand, contract, allowed) from the lint: what it does to the release before.
                let classes = Dictionary(local.map { migration -> (String, Any) in
                    let record = SchemaRecording.record(migration)
                    return (migration.name, ["kind": record.migrationClass.kind.rawValue, "rules": record.migrationClass.rules,
                                             "declared": record.migrationClass.declared] as [String: Any])
                }) { first, _ in first }
                printJSON(["ok": status.upToDate, "database": url.redacted, "applied": status.applied, "pending": status.pending,
                           "failed": status.failed, "modified": status.modified, "missingLocally": status.missingLocally, "classes": classes])
            } else {
                print("\(local.count) migrations found in \(source.migrations); database \(url.redacted)")
                for (label, names) in [("applied", status.applied), ("pending", status.pending), ("FAILED", status.failed),
                                       ("modified after applying", status.modified), ("in the database only", status.missingLocally)]
                where !names.isEmpty {
                    print("\(label):")
                    names.forEach { print("  \($0)") }
                }
                if status.upToDate { print("Database schema is up to date.") }
            }
            if !status.upToDate { throw ExitCode(ExitStatus.drift.rawValue) }
        }
    }
}
