import ArgumentParser
import CutoverAWS
import CutoverCore
import CutoverHTTP
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

    func validate() throws {
        guard !release.isEmpty, release.utf8.count <= 128, !release.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ValidationError("--release must be 1 to 128 characters without control characters (AWS tag values)")
        }
    }
}

/// Where AWS is and where the release journal lives.
struct AWSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Journals and the traffic lock. Default: $CUTOVER_STATE_DIR, else ~/.local/state/cutover.", valueName: "dir"))
    var stateDir: String?

    var stateDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let stateDir { return URL(fileURLWithPath: stateDir) }
        if let value = environment["CUTOVER_STATE_DIR"], !value.isEmpty { return URL(fileURLWithPath: value) }
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(environment["HOME"] ?? "/tmp")/.local/state"
        return URL(fileURLWithPath: base).appendingPathComponent("cutover")
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
    func trafficContext(_ config: Config, _ environment: Environment, release: String, units: [DeployUnit]) throws -> TrafficContext {
        let client = try client(for: environment)
        return TrafficContext(system: config.name, environment: environment, release: release, units: units,
                              router: ALBTrafficRouter(elbv2: .init(client: client)),
                              journal: JournalStore(directory: stateDirectory), progress: progressToStderr)
    }
}

/// Progress lines go to stderr, so `--json` and `--dry-run > plan.txt` keep stdout clean.
let progressToStderr: @Sendable (String) -> Void = { line in printError(line) }

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

/// Runs a traffic command: a refusal or failure prints the per-group report, then the error.
func reportingTraffic(json: Bool, _ body: () async throws -> TrafficReport) async throws {
    try await reporting(json: false) {
        do {
            printReport(try await body(), json: json)
        } catch let failure as TrafficCommandFailed {
            printReport(failure.report, json: json)
            printError("error[\(failure.code)]: \(failure.message)")
            throw ExitCode(failure.exitStatus)
        }
    }
}
