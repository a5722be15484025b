import ArgumentParser
import CutoverCore
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

    func validate() throws {
        if expect != nil && release == nil { throw ValidationError("--expect needs --release") }
    }

    func run() async throws {
        try await reporting(json: output.json) {
            let (config, environment, units) = try selection.resolve()
            let context = try aws.trafficContext(config, environment, release: release ?? "", units: units)
            let status = try await TrafficStatus.read(context, expect: expect)
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
            }
            if !status.ok { throw ExitCode(ExitStatus.checkFailed.rawValue) }
        }
    }
}

extension TrafficStatus.Expectation: ExpressibleByArgument {}
