import ArgumentParser
import CutoverCore
import CutoverMigrate
import CutoverSteps
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

    @Option(help: ArgumentHelp("Record this run for the release in the environment's schema journal (the state store): what it applied, each migration's class, the outcome. Needs the config (-c) and the environment (--env).", valueName: "name"))
    var release: String?

    @OptionGroup var config: ConfigOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var remote: ServerOption

    func validate() throws {
        if let release, let problem = ReleaseName.validate(release) { throw ValidationError("--release: \(problem)") }
    }

    func run() async throws {
        try await remote.forwardIfSet(["migrate", "deploy"], config: config, environment: environment)
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
                let report: Migrator.DeployReport
                if let release {
                    report = try await recording(release, local: local, migrator: migrator)
                } else {
                    report = try await migrator.deploy(local)
                }
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

    /// Runs the deploy and records it, failed or not, in the schema journal: promote reads it.
    private func recording(_ release: String, local: [LocalMigration], migrator: Migrator) async throws -> Migrator.DeployReport {
        let config = try config.load()
        let environment = try UnitSelection.environment(config, named: self.environment.name)
        let store = SchemaJournalStore(store: try aws.stateStore(for: environment))
        let before = try await migrator.status(local)
        let result: Result<Migrator.DeployReport, any Error>
        do { result = .success(try await migrator.deploy(local)) } catch { result = .failure(error) }
        let after = try? await migrator.status(local)
        let byName = Dictionary(local.map { ($0.name, $0) }) { first, _ in first }
        let applied = (after?.applied ?? []).filter { !before.applied.contains($0) }.compactMap { byName[$0].map(SchemaRecording.record) }
        var run = SchemaRun(release: release, at: Date(), by: SchemaRecording.by, succeeded: true, applied: applied, alreadyApplied: before.applied)
        if case .failure(let error) = result {
            run.succeeded = false
            run.failed = (after?.failed.first ?? before.pending.first { name in !applied.contains { $0.name == name } }).flatMap { byName[$0] }.map(SchemaRecording.record)
            let code = (error as? any CutoverError)?.code ?? "error"
            run.error = "\(code): \(String(describing: error).split(separator: "\n").first ?? "")"
        }
        try await store.append(run, system: config.name, environment: environment.name)
        printError("\(consoleTime()) schema: recorded release \(release)'s run in \(store.store.location): \(run.succeeded ? "succeeded" : "FAILED"), \(applied.count) applied (\(applied.map { "\($0.name): \($0.migrationClass.summary)" }.joined(separator: ", ")))")
        return try result.get()
    }
}
