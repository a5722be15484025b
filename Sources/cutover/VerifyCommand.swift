import ArgumentParser
import CutoverAWS
import CutoverCore
import CutoverHTTP
import CutoverSteps
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a release before the gate: healthy targets, the release running, smoke checks.",
        discussion: "Prints a tree of [OK]/[FAIL]/[SKIP] checks per unit; exits 6 when any check fails.")

    @OptionGroup var selection: UnitSelection
    @OptionGroup var releaseOption: ReleaseOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var remote: ServerOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await remote.forwardIfSet(["verify"], config: selection.config, environment: selection.environment)
        try await reporting(json: output.json) {
            let (config, environment, units) = try selection.resolve()
            let base = URL(fileURLWithPath: config.path).deletingLastPathComponent()
            let client = try aws.client(for: environment)
            let http = AsyncHTTPTransport()
            var reports: [Verifier.Report] = []
            for unit in units {
                let verifier = Verifier(unit: unit, release: releaseOption.release, elbv2: ELBv2Client(client: client),
                                        ecs: ECSClient(client: client), ec2: EC2Client(client: client), http: http,
                                        discovery: unit.ansibleDeployment.map {
                                            HostDiscovery(unit: unit, deployment: $0, baseDirectory: base, ec2: EC2Client(client: client))
                                        })
                reports.append(try await verifier.run())
            }
            if output.json {
                FileHandle.standardOutput.write(encodeJSON(reports) + Data("\n".utf8))
            } else {
                for report in reports {
                    print("\(report.ok ? "[OK]" : "[FAIL]") \(report.unit)")
                    for check in report.checks {
                        print("  [\(check.result)] \(check.name)\(check.detail.map { ": \($0)" } ?? "")")
                    }
                }
            }
            if !reports.allSatisfy(\.ok) { throw ExitCode(ExitStatus.checkFailed.rawValue) }
        }
    }
}
