import ArgumentParser
import CutoverCore
import CutoverJenkins
import Foundation

struct JenkinsStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the last build of a job.",
        discussion: "Exit codes: 0 when the last build succeeded or is running, 1 when it failed, 4 unstable, 5 aborted."
    )

    @OptionGroup var jobArgument: JobArgument
    @OptionGroup var config: ConfigOptions
    @OptionGroup var jenkins: JenkinsOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reporting(json: output.json) {
            let (job, loaded) = try jobArgument.path(config: config)
            let client = try jenkins.client(config: loaded)
            guard try await client.config(of: job) != nil else {
                throw JenkinsError(.notFound, "there is no job \(job)", url: client.baseURL.absoluteString + job.urlPath)
            }
            guard let info = try await client.buildInfo(job, number: nil) else {
                if output.json { printJSON(["ok": true, "job": job.description, "build": NSNull()]) } else { print("\(job): never built") }
                return
            }
            let state = info.building ? "RUNNING" : info.result ?? "UNKNOWN"
            if output.json {
                printJSON(["ok": state == "SUCCESS" || state == "RUNNING", "job": job.description, "build": info.number,
                           "result": state, "url": info.url, "durationSeconds": Double(info.durationMilliseconds) / 1000,
                           "startedAt": ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(info.timestamp) / 1000))])
            } else {
                print("\(job) #\(info.number): \(state)\(info.building ? "" : String(format: " in %.1f s", Double(info.durationMilliseconds) / 1000)) \(info.url)")
            }
            switch state {
            case "SUCCESS", "RUNNING": return
            case "UNSTABLE": throw ExitCode(ExitStatus.unstable.rawValue)
            case "ABORTED", "NOT_BUILT": throw ExitCode(ExitStatus.aborted.rawValue)
            default: throw ExitCode(ExitStatus.failure.rawValue)
            }
        }
    }
}
