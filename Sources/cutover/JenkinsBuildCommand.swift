import ArgumentParser
import CutoverCore
import CutoverJenkins
import Foundation

struct JenkinsBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Start a build, wait for it to leave the queue, and optionally follow its console.",
        discussion: """
        Exit codes with --follow: 0 SUCCESS, 1 FAILURE, 4 UNSTABLE, 5 ABORTED, NOT_BUILT or a cancelled queue item. \
        Without --follow the command ends when the build has started (or its queue item was cancelled: 5).
        """
    )

    @OptionGroup var jobArgument: JobArgument
    @OptionGroup var config: ConfigOptions
    @OptionGroup var jenkins: JenkinsOptions
    @Option(name: .customLong("param"), help: ArgumentHelp("A build parameter; repeat for more.", valueName: "K=V"))
    var parameters: [String] = []
    @Flag(name: .long, help: "Stream the console until the build ends and exit with its result.")
    var follow = false
    @Option(name: .long, help: ArgumentHelp("Seconds between polls of the queue and the console.", valueName: "seconds"))
    var pollInterval: Double = 1
    @Option(name: .long, help: ArgumentHelp("Give up when the build has not left the queue after this many seconds.", valueName: "seconds"))
    var queueTimeout: Double = 600
    @OptionGroup var output: OutputOptions

    func validate() throws {
        for parameter in parameters where !parameter.contains("=") || parameter.hasPrefix("=") {
            throw ValidationError("--param \(parameter): write NAME=VALUE")
        }
        guard pollInterval > 0, pollInterval <= 60 else { throw ValidationError("--poll-interval must be from 0 to 60 seconds") }
    }

    func run() async throws {
        try await reporting(json: output.json) {
            let (job, loaded) = try jobArgument.path(config: config)
            let client = try jenkins.client(config: loaded)
            let pairs = parameters.map { parameter -> (String, String) in
                let equals = parameter.firstIndex(of: "=")!
                return (String(parameter[..<equals]), String(parameter[parameter.index(after: equals)...]))
            }
            let queueID = try await client.build(job, parameters: pairs)
            if !output.json { printError("queued \(job) (queue item \(queueID))") }
            let interval = Duration.milliseconds(Int(pollInterval * 1000))
            let deadline = ContinuousClock.now + .milliseconds(Int(queueTimeout * 1000))
            var number: Int?
            var lastWhy: String?
            while number == nil {
                switch try await client.queueItem(queueID) {
                case .started(let started, let url):
                    number = started
                    if !output.json { printError("started \(job) #\(started) \(url)") }
                case .cancelled:
                    if output.json { printJSON(["ok": false, "job": job.description, "queueItem": queueID, "result": "CANCELLED"]) }
                    printError("error[jenkins.build-failed]: the queue item \(queueID) of \(job) was cancelled before it started")
                    throw ExitCode(ExitStatus.aborted.rawValue)
                case .waiting(let why):
                    if !output.json, let why, why != lastWhy { printError("waiting: \(why)") }
                    lastWhy = why
                    guard ContinuousClock.now < deadline else {
                        throw JenkinsError(.buildFailed, "\(job) is still queued after \(Int(queueTimeout)) s (\(why ?? "no reason given")); queue item \(queueID)")
                    }
                    try await Task.sleep(for: interval)
                }
            }
            guard let number else { return }
            guard follow else {
                if output.json { printJSON(["ok": true, "job": job.description, "queueItem": queueID, "build": number]) }
                return
            }
            var offset = 0
            while true {
                let chunk = try await client.console(job, number: number, from: offset)
                if !chunk.text.isEmpty && !output.json {
                    FileHandle.standardOutput.write(Data(chunk.text.utf8))
                }
                offset = chunk.nextOffset
                if !chunk.more {
                    // The log is complete; the result is set when the build record is finished.
                    if let info = try await client.buildInfo(job, number: number), !info.building { break }
                }
                try await Task.sleep(for: interval)
            }
            let info = try await client.buildInfo(job, number: number)
            let result = info?.result ?? "UNKNOWN"
            if output.json {
                printJSON(["ok": result == "SUCCESS", "job": job.description, "queueItem": queueID, "build": number, "result": result,
                           "url": info?.url ?? ""])
            } else {
                printError("\(job) #\(number): \(result)")
            }
            switch result {
            case "SUCCESS": return
            case "UNSTABLE": throw ExitCode(ExitStatus.unstable.rawValue)
            case "ABORTED", "NOT_BUILT": throw ExitCode(ExitStatus.aborted.rawValue)
            default: throw ExitCode(ExitStatus.failure.rawValue)
            }
        }
    }
}
