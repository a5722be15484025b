import ArgumentParser
import CutoverCore
import CutoverMigrate
import CutoverState
import CutoverStatusPage
import CutoverSteps
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each ALB group's live weights, releases and target health.",
        discussion: "Exits 6 when a group is split between colours, its live colour is unhealthy, or --expect does not hold.")

    @OptionGroup var selection: UnitSelection
    @OptionGroup var aws: AWSOptions
    @OptionGroup var remote: ServerOption
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("With --release: `green` = the release takes all traffic, `blue` = it takes none.", valueName: "green|blue"))
    var expect: TrafficStatus.Expectation?

    @Option(help: ArgumentHelp("The release --expect is about.", valueName: "name"))
    var release: String?

    @Option(help: ArgumentHelp("The migrations folder, to list pending migrations (with DATABASE_URL set).", valueName: "dir"))
    var migrations = "prisma/migrations"

    @Option(help: ArgumentHelp("Also write the environment's status page (the sidecar's, without reloading) to this file, e.g. to archive it with the build.", valueName: "file"))
    var html: String?

    func validate() throws {
        if expect != nil && release == nil { throw ValidationError("--expect needs --release") }
    }

    func run() async throws {
        try await remote.forwardIfSet(["status"], config: selection.config, environment: selection.environment)
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
            if let html { try await writeStatusPage(html, config: config, environment: environment) }
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


    /// The page for every unit of the environment, with the builds waiting for approval when Jenkins
    /// is configured (`JENKINS_URL`, as in every pipeline, or `jenkins.url`).
    private func writeStatusPage(_ path: String, config: Config, environment: Environment) async throws {
        let jenkins = try? JenkinsOptions.parse([]).client(config: config)
        let live = LiveStatus(config: config, environments: [environment], aws: aws, approvals: jenkins,
                              approvalsProblem: jenkins == nil ? "no Jenkins URL (JENKINS_URL or jenkins.url): builds waiting for approval are not shown" : nil)
        let page = StatusPage(system: config.name, version: Cutover.version, generatedAt: Date(), refreshSeconds: nil, environments: await live.read())
        do {
            try Data(StatusPageHTML.render(page).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw StepError(code: "status.html", message: "cannot write the status page to \(path): \(error.localizedDescription)\nhint: check that its directory exists and is writable")
        }
    }
}

extension TrafficStatus.Expectation: ExpressibleByArgument {}
