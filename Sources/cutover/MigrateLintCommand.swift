import ArgumentParser
import CutoverCore
import CutoverLint
import CutoverMigrate
import CutoverSteps
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
    @OptionGroup var config: ConfigOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var aws: AWSOptions

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
            var notes: [String] = []
            for migration in local where only?.contains(migration.name) ?? true {
                let sql = String(decoding: migration.script, as: UTF8.self)
                let migrationClass = MigrationLinter.classify(sql: sql, file: migration.path)
                guard migrationClass.declared else { continue }
                let (accepted, note) = await acceptsDeclaredContract(migration.name, preparedBy: migrationClass.preparedBy)
                notes.append(note)
                if accepted {
                    for index in findings.indices where findings[index].file == migration.path { findings[index].suppressed = true }
                }
            }
            let blocking = findings.filter { !$0.suppressed }
            notes.forEach { printError($0) }
            if output.json {
                printJSON(["ok": blocking.isEmpty, "scope": scope, "notes": notes, "findings": findings.map {
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

    /// A migration marked `-- cutover:contract after R` is accepted only while no colour taking traffic
    /// runs a release older than R (by the order the schema journal saw releases first migrate): the code
    /// that still reads what it removes must be gone from every route.
    private func acceptsDeclaredContract(_ name: String, preparedBy: String?) async -> (Bool, String) {
        guard let preparedBy else {
            return (false, "lint: \(name) is declared contract without `after RELEASE`: say which release stopped needing what it removes (`-- cutover:contract after R`)")
        }
        do {
            let config = try config.load()
            let environment = try UnitSelection.environment(config, named: self.environment.name)
            let context = try aws.trafficContext(config, environment, release: "", units: environment.units)
            let journal = try await SchemaJournalStore(store: context.state).load(system: config.name, environment: environment.name)
            let order = (journal?.runs ?? []).map(\.release)
            guard let prepared = order.firstIndex(of: preparedBy) else {
                return (false, "lint: \(name) is contract after \(preparedBy), but \(preparedBy) has no recorded migration run in \(environment.name)")
            }
            let status = try await TrafficStatus.read(context, expect: nil)
            var older: [String] = []
            for group in status.groups {
                for state in [group.blue, group.green] where state.percent > 0 {
                    let live = state.release ?? "untagged"
                    if live != preparedBy, (order.firstIndex(of: live) ?? -1) < prepared { older.append("\(group.unit) runs \(live) (\(state.percent)%)") }
                }
            }
            if older.isEmpty {
                return (true, "lint: \(name) is contract after \(preparedBy), accepted: no colour taking traffic in \(environment.name) runs an older release")
            }
            return (false, "lint: \(name) is contract after \(preparedBy), refused: releases older than \(preparedBy) still take traffic: \(older.joined(separator: "; "))")
        } catch {
            return (false, "lint: \(name) is contract after \(preparedBy), but the live traffic could not be read to accept it: \(error)")
        }
    }
}
