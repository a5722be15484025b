import ArgumentParser
import CutoverCore
import CutoverLint
import CutoverMigrate
import Foundation

struct MigrateLintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check migrations for changes that break the running (old) release or blue/green replication.",
        discussion: """
        The old release keeps running against the new schema until promotion, and again after a rollback, so \
        a release migration may only expand. Rules:
        \(MigrationLinter.rules.map { "  \($0.id): \($0.summary)" }.joined(separator: "\n"))
        A comment `-- cutover:allow <rule>` on or above a statement accepts that finding on purpose. With \
        --lock-timeout (the value `migrate deploy --lock-timeout` sets for its session), files need no \
        SET lock_timeout of their own. \
        With a database URL (DATABASE_URL, --database-url) only the pending migrations are linted; otherwise, \
        or with --all, every migration. Exit code 1 when there are findings.
        """
    )

    @OptionGroup var source: MigrationOptions
    @Flag(name: .long, help: "Lint every migration, not only the pending ones.")
    var all = false
    @Option(name: .long, help: ArgumentHelp("The lock_timeout `migrate deploy` will set (--lock-timeout): files then need no SET lock_timeout of their own.", valueName: "value"))
    var lockTimeout: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reporting(json: output.json) {
            let local = try MigrationsDirectory.load(source.migrations)
            var only: Set<String>?
            var scope = "all \(local.count) migrations"
            let hasDatabase = source.databaseURL != nil || source.schema != nil
                || !(ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty
            if !all, hasDatabase {
                let url = try await source.resolvedURL()
                let pending = try await withMigrationDatabase(url) { try await Migrator(database: $0).pending(local) }
                only = Set(pending.map(\.name))
                scope = "\(pending.count) pending migration\(pending.count == 1 ? "" : "s")"
            }
            var findings = try MigrationLinter.lint(migrationsDirectory: source.migrations, only: only)
            if let lockTimeout, lockTimeout != "0" {
                // The deploy session sets lock_timeout itself, which is what this rule asks for.
                findings.removeAll { $0.rule == "missing-lock-timeout" }
            }
            let blocking = findings.filter { !$0.suppressed }
            if output.json {
                printJSON(["ok": blocking.isEmpty, "scope": scope, "findings": findings.map {
                    ["rule": $0.rule, "file": $0.file, "line": $0.line, "column": $0.column, "message": $0.message, "fix": $0.fix,
                     "suppressed": $0.suppressed] as [String: Any]
                }])
            } else {
                for finding in blocking {
                    print("\(finding.file):\(finding.line):\(finding.column): \(finding.rule): \(finding.message)\n  fix: \(finding.fix)")
                }
                let allowed = findings.count - blocking.count
                print("lint: \(scope): \(blocking.count) finding\(blocking.count == 1 ? "" : "s")\(allowed > 0 ? ", \(allowed) allowed by cutover:allow" : "")")
            }
            if !blocking.isEmpty { throw ExitCode(ExitStatus.failure.rawValue) }
        }
    }
}
