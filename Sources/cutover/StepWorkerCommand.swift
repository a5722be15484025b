import ArgumentParser
import CutoverCore
import CutoverServer
import Foundation

/// `cutover step-worker`: a step process the sidecar starts ahead of need (`WarmStepProcess`). It waits
/// for one request on stdin (a JSON line: arguments, environment, directory), takes that environment
/// and directory as its own and runs the step as `cutover <arguments>` would, exit code included.
/// Not for people; hidden from --help.
struct StepWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: StepWorkerRequest.command,
        abstract: "Internal: a step process waiting for the sidecar's request on stdin.",
        shouldDisplay: false)

    @Option(help: "The daemon's config, loaded once while waiting (StepWarmUp).")
    var warmConfig: String?

    func run() async throws {
        await StepWarmUp.run(config: warmConfig)
        // End of file before a request: the daemon stopped, or is gone. Nothing was asked; nothing to say.
        guard let line = readLine(strippingNewline: true) else { throw ExitCode.success }
        let request: StepWorkerRequest
        do {
            request = try JSONDecoder().decode(StepWorkerRequest.self, from: Data(line.utf8))
        } catch {
            printError("error[serve.worker]: the sidecar's request is not a step request: \(error)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        guard let first = request.arguments.first, first != StepWorkerRequest.command else {
            printError("error[serve.worker]: the sidecar's request names no step")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        // What the step starts (Ansible, git) must not inherit the daemon's pipe.
        let null = open("/dev/null", O_RDONLY)
        if null >= 0 { dup2(null, STDIN_FILENO); close(null) }
        clearenv()
        for (name, value) in request.environment { setenv(name, value, 1) }
        if let directory = request.directory, !FileManager.default.changeCurrentDirectoryPath(directory) {
            printError("error[serve.worker]: cannot change to the working directory \(directory)")
            throw ExitCode(ExitStatus.failure.rawValue)
        }
        await Cutover.main(request.arguments)
    }
}
