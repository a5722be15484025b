import ArgumentParser
import CutoverCore
import Foundation

@main
struct Cutover: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "cutover",
        abstract: "Blue/green releases of a multi-service system on AWS, run from Jenkins.",
        discussion: """
        One config file (cutover.yml) describes the system. `cutover render` turns it into the four release \
        pipelines per environment (db-migration, service-deploy, promote, rollback); the pipelines call the \
        other commands as their steps.

        Exit codes:
        \(ExitStatus.allCases.map { "  \($0.rawValue)\(String(repeating: " ", count: 4 - String($0.rawValue).count))\($0.meaning)" }.joined(separator: "\n"))
          128+N  stopped by signal N (143: SIGTERM): promote after putting every group back, rollback after
                 finishing its restores, deploy after stopping Ansible's runs
        """,
        version: version,
        subcommands: [ValidateCommand.self, RenderCommand.self, LibraryCommand.self, RegisterCommand.self, JenkinsCommand.self, MigrateCommand.self,
                      ProvisionCommand.self, DeployCommand.self, VerifyCommand.self, PromoteCommand.self, RollbackCommand.self, StatusCommand.self, CleanupCommand.self,
                      UnlockCommand.self, ServeCommand.self, StepWorkerCommand.self]
    )

    /// A step for a sidecar goes there before the command line is parsed here (`RemoteStep.fromCommandLine`);
    /// a mistake the client can see itself (no token, not a URL) is reported as the parsed command
    /// reports it, exit 64.
    static func main() async {
        if let remote = RemoteStep.fromCommandLine(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment) {
            do {
                try await remote.run()
            } catch {
                exit(withError: error)
            }
        }
        await main(nil)
    }
}
