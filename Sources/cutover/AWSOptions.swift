import ArgumentParser
import CutoverAWS
import CutoverCore
import CutoverHTTP
import CutoverState
import CutoverSteps
import Foundation

/// Which environment and units a step acts on: `--env`, `--service`, `--sport`, from the config.
struct UnitSelection: ParsableArguments {
    @OptionGroup var config: ConfigOptions
    @OptionGroup var environment: EnvironmentOption

    @Option(help: ArgumentHelp("Only this service (default: every service).", valueName: "name"))
    var service: String?

    @Option(help: ArgumentHelp("Only this sport of a fan-out service (needs --service).", valueName: "name"))
    var sport: String?

    func validate() throws {
        if sport != nil && service == nil { throw ValidationError("--sport needs --service") }
    }

    /// The loaded config, the chosen environment and the selected units, or a clear error.
    func resolve(kinds: Set<ServiceKind> = Set(ServiceKind.allCases)) throws -> (Config, Environment, [DeployUnit]) {
        let config = try config.load()
        let environment = try Self.environment(config, named: self.environment.name)
        var units = environment.units
        if let service {
            guard let found = environment.service(named: service) else {
                throw StepError(code: "usage.service", message: "no service named '\(service)' in \(config.path); it has: \(environment.services.map(\.name).joined(separator: ", "))", exitStatus: .usage)
            }
            units = found.units
            if let sport {
                units = units.filter { $0.sport == sport }
                if units.isEmpty {
                    throw StepError(code: "usage.sport", message: "service '\(service)' has no sport '\(sport)'; it has: \(found.sports.isEmpty ? "none" : found.sports.joined(separator: ", "))", exitStatus: .usage)
                }
            }
        }
        units = units.filter { kinds.contains($0.kind) }
        return (config, environment, units)
    }

    static func environment(_ config: Config, named name: String?) throws -> Environment {
        if let name {
            guard let found = config.environment(named: name) else {
                throw StepError(code: "usage.env", message: "no environment named '\(name)' in \(config.path); it has: \(config.environments.map(\.name).joined(separator: ", "))", exitStatus: .usage)
            }
            return found
        }
        guard config.environments.count == 1 else {
            throw StepError(code: "usage.env", message: "\(config.path) has \(config.environments.count) environments (\(config.environments.map(\.name).joined(separator: ", "))): say which with --env or CUTOVER_ENV", exitStatus: .usage)
        }
        return config.environments[0]
    }
}

/// `--release`: the name a release's resources are tagged with.
struct ReleaseOption: ParsableArguments {
    @Option(help: ArgumentHelp("The release (tagged on what it creates as cutover:release).", valueName: "name"))
    var release: String

    /// The name reaches AWS tags, Ansible and shell commands: CutoverCore's one definition decides.
    func validate() throws {
        if let problem = ReleaseName.validate(release) {
            throw ValidationError("--release \(problem): a release name is \(ReleaseName.expectation)")
        }
    }
}

/// Where AWS is and where the release journal and the lock live.
struct AWSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where journals and the lock live: s3://BUCKET/PREFIX (shared by every agent) or a directory. Default: $CUTOVER_STATE, else the config's `state:`, else ~/.local/state/cutover.", valueName: "location"))
    var state: String?

    /// The local default: `$CUTOVER_STATE_DIR`, else the XDG state directory.
    var defaultStateDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["CUTOVER_STATE_DIR"], !value.isEmpty { return URL(fileURLWithPath: value) }
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(environment["HOME"] ?? "/tmp")/.local/state"
        return URL(fileURLWithPath: base).appendingPathComponent("cutover")
    }

    /// The state store for an environment: `--state`, `$CUTOVER_STATE`, the environment's or the config's
    /// `state:`, else the local directory.
    func stateStore(for environment: Environment) throws -> any StateStore {
        let location = try StateLocation.resolve(environmentVariable: state ?? ProcessInfo.processInfo.environment["CUTOVER_STATE"],
                                                 configured: environment.state, defaultDirectory: defaultStateDirectory)
        switch location {
        case .directory(let url): return LocalStateStore(directory: url)
        case .s3(let bucket, let prefix): return S3StateStore(client: S3Client(client: try client(for: environment)), bucket: bucket, prefix: prefix)
        }
    }

    /// One signed client for the environment: its region, and the endpoint from `AWS_ENDPOINT_URL` or
    /// the config's `aws.endpoint` (emulators, VPC endpoints).
    func client(for environment: Environment) throws -> AWSClient {
        let variables = ProcessInfo.processInfo.environment
        let transport = AsyncHTTPTransport()
        let credentials = try CredentialChain.provider(environment: variables, transport: transport)
        let endpointText = variables["AWS_ENDPOINT_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? environment.endpoint
        var endpoint: URL?
        if let endpointText {
            guard let url = URL(string: endpointText), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw StepError(code: "usage.endpoint", message: "the AWS endpoint '\(endpointText)' is not an http(s) URL", exitStatus: .usage)
            }
            endpoint = url
        }
        return AWSClient(transport: transport, credentials: credentials, region: environment.region, endpoint: endpoint)
    }
}

extension AWSOptions {
    /// What promote, rollback and status share: the ALB router for the environment and the journal.
    func trafficContext(_ config: Config, _ environment: Environment, release: String, units: [DeployUnit],
                        signals: TrafficSignals? = nil) throws -> TrafficContext {
        let client = try client(for: environment)
        return TrafficContext(system: config.name, environment: environment, release: release, units: units,
                              router: ALBTrafficRouter(elbv2: .init(client: client)),
                              state: try stateStore(for: environment), progress: progressToStderr, signals: signals)
    }

    /// Runs `body` holding the environment's lock in its state store (provision, deploy, cleanup), and
    /// records the step in the release's journal before the lock goes (`outcome` names how it ended;
    /// a throw is `failed`), so the status page's timeline shows it. A journal that cannot be written
    /// is a warning: the step itself is done.
    func holdingLock<T: Sendable>(_ config: Config, _ environment: Environment, command: String, release: String,
                                  outcome: @Sendable (T) -> String = { _ in "done" },
                                  _ body: (StateLock) async throws -> T) async throws -> T {
        let store = try stateStore(for: environment)
        let journal = JournalStore(store: store)
        @Sendable func record(_ ended: String, _ detail: String?, since started: Date) async {
            do {
                try await journal.recordStep(system: config.name, environment: environment.name, release: release, command: command,
                                             outcome: ended, detail: detail, startedAt: started)
            } catch {
                progressToStderr("warning: the journal in \(store.location) could not record this \(command): \(error)")
            }
        }
        return try await EnvironmentLock.holding(store, system: config.name, environment: environment.name,
                                                 command: command, release: release, progress: progressToStderr) { lock in
            let started = Date()
            do {
                let result = try await body(lock)
                await record(outcome(result), nil, since: started)
                return result
            } catch {
                await record("failed", (error as? any CutoverError)?.code, since: started)
                throw error
            }
        }
    }
}

/// Progress lines go to stderr, so `--json` and `--dry-run > plan.txt` keep stdout clean. Each starts
/// with the time (UTC), so a Jenkins console shows when every step started and ended.
let progressToStderr: @Sendable (String) -> Void = { line in printError("\(consoleTime()) \(line)") }

func consoleTime(_ date: Date = Date()) -> String {
    var seconds = time_t(date.timeIntervalSince1970)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return String(format: "%02d:%02d:%02dZ", parts.tm_hour, parts.tm_min, parts.tm_sec)
}

/// Prints a traffic report as text or JSON.
func printReport(_ report: TrafficReport, json: Bool) {
    if json {
        FileHandle.standardOutput.write(encodeJSON(report) + Data("\n".utf8))
        return
    }
    print("\(report.command) \(report.release) in \(report.environment): \(report.succeeded ? "done" : "FAILED")")
    for group in report.groups { print("  " + group.line) }
}

func encodeJSON(_ value: some Encodable) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return (try? encoder.encode(value)) ?? Data("{}".utf8)
}

/// Runs a traffic command: a refusal or failure prints the per-group report, then the error. With
/// `--json`, stdout is exactly one JSON document whatever happens (lock, credentials, journal
/// errors included); the error text also goes to stderr for the console.
func reportingTraffic(json: Bool, _ body: () async throws -> TrafficReport) async throws {
    try await reporting(json: json) {
        do {
            printReport(try await body(), json: json)
        } catch var failure as TrafficCommandFailed {
            failure.report.error = .init(code: failure.code, message: failure.message, exitStatus: failure.exitStatus)
            printReport(failure.report, json: json)
            printError("error[\(failure.code)]: \(failure.message)")
            throw ExitCode(failure.exitStatus)
        }
    }
}
