import ArgumentParser
import CutoverServer
import Foundation

/// The release steps `cutover serve` runs as operations, each checked by its own command's parser.
enum ServeSteps {
    static let definitions: [StepDefinition] = [
        step("migrate", ["migrate", "deploy"], MigrateDeployCommand.self),
        step("provision", ["provision"], ProvisionCommand.self),
        step("deploy", ["deploy"], DeployCommand.self),
        step("verify", ["verify"], VerifyCommand.self),
        step("promote", ["promote"], PromoteCommand.self),
        step("rollback", ["rollback"], RollbackCommand.self),
        step("status", ["status"], StatusCommand.self),
        step("cleanup", ["cleanup"], CleanupCommand.self),
    ]

    /// The step a command line names (`promote`, `migrate deploy`), for the CLI's `--server`.
    static func definition(command: [String]) -> StepDefinition? {
        definitions.first { $0.command == command }
    }

    private static func step(_ name: String, _ command: [String], _ type: any ParsableCommand.Type) -> StepDefinition {
        StepDefinition(name: name, command: command) { arguments in
            do {
                _ = try type.parseAsRoot(arguments)
            } catch {
                throw StepRequestError(type.message(for: error))
            }
        }
    }

    /// The runners for `serve`: this binary, run as a child per operation (with `spare`, a waiting one
    /// when there is one: `warm`, which the daemon stops at exit).
    static func runners(config: String, environment: [String: String], spare: Bool) -> (runners: [any OperationRunner], warm: WarmStepProcess?) {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let absoluteConfig = config.hasPrefix("/") ? config : FileManager.default.currentDirectoryPath + "/" + config
        let warm = spare ? WarmStepProcess(executable: executable, arguments: [StepWorkerRequest.command, "--warm-config", absoluteConfig],
                                           environment: ProcessStepRunner.baseEnvironment(environment)) : nil
        return (definitions.map {
            ProcessStepRunner(definition: $0, executable: executable, defaultConfig: absoluteConfig, environment: environment, warm: warm)
        }, warm)
    }
}
