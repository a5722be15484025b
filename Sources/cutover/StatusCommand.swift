import ArgumentParser
import CutoverCore
import CutoverMigrate
import CutoverState
import CutoverSteps
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each ALB group's live weights, releases and target health.",
        discussion: "Exits 6 when a group is split between colours, its live colour is unhealthy, or --expect does not hold.")

    @OptionGroup var selection: UnitSelection
    @OptionGroup var aws: AWSOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("With --release: `green` = the release takes all traffic, `blue` = it takes none.", valueName: "green|blue"))
    var expect: TrafficStatus.Expectation?

    @Option(help: ArgumentHelp("The release --expect is about.", valueName: "name"))
    var release: String?

    @Option(help: ArgumentHelp("The migrations folder, to list pending migrations (with DATABASE_URL set).", valueName: "dir"))
    var migrations = "prisma/migrations"

    func validate() throws {
        if expect != nil && release == nil { throw ValidationError("--expect needs --release") }
    }

    func run() async throws {
        try await reporting(json: output.json) {
            let (config, environment, units) = try selection.resolve()
            let context = try aws.trafficContext(config, environment, release: release ?? "", units: units)
            var status = try await TrafficStatus.read(context, expect: expect)
            status.lock = try await StateLock.currentHolder(store: context.state, key: EnvironmentLock.key(system: config.name, environment: environment.name))
                .map { "\($0)" }
            if environment.database != nil {
                let journal = try await SchemaJournalStore(store: context.state).load(system: config.name, environment: environment.name)
                let rows = try await SchemaRecording.databaseRows()
                let local = (try? MigrationsDirectory.load(migrations))?.map(\.name)
                status.schema = SchemaStatus.read(journal: journal, applied: rows.map { $0.filter(\.isApplied).sorted { $0.startedAt < $1.startedAt }.map(\.migrationName) },
                                                  failed: rows.map { $0.filter(\.isFailed).map(\.migrationName) }, local: local)
            }
            if output.json {
                FileHandle.standardOutput.write(encodeJSON(status) + Data("\n".utf8))
            } else {
                for group in status.groups {
                    let mark = group.split || group.unhealthy || !group.problems.isEmpty ? "[FAIL]" : "[OK]"
                    print("\(mark) \(group.unit)  live \(group.live.rawValue)\(group.split ? " SPLIT" : "")\(group.unhealthy ? " UNHEALTHY" : "")")
                    for (color, state) in [("blue", group.blue), ("green", group.green)] {
                        let release = state.release.map { " release \($0)" } ?? ""
                        let exists = state.exists ? "\(state.healthy)/\(state.total) healthy" : "absent"
                        print("    \(color) \(state.percent)%  \(state.targetGroup)\(release)  \(exists)")
                    }
                    for problem in group.problems { print("    ! \(problem)") }
                }
                if let schema = status.schema { print(schema.line) }
                print("lock: \(status.lock ?? "free")")
            }
            if !status.ok { throw ExitCode(ExitStatus.checkFailed.rawValue) }
        }
    }
}

extension TrafficStatus.Expectation: ExpressibleByArgument {}
