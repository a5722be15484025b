import ArgumentParser
import CutoverCore

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config file and report every problem at once.",
        discussion: "Exits 0 when the config is valid, 2 with every problem (file:line:column, what is wrong, what to write instead) when it is not."
    )

    @OptionGroup var config: ConfigOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        do {
            let loaded = try config.load()
            let units = loaded.environments.map { $0.units.count }.reduce(0, +)
            if output.json {
                printJSON(["ok": true, "config": config.path, "environments": loaded.environments.map(\.name),
                           "services": loaded.environments.first?.services.map(\.name) ?? [], "units": units])
            } else {
                print("\(config.path): valid: \(loaded.environments.count) environments (\(loaded.environments.map(\.name).joined(separator: ", "))), "
                    + "\(loaded.environments.first?.services.count ?? 0) services, \(units) deployable units")
            }
        } catch let error as ConfigError {
            if output.json {
                printJSON(["ok": false, "config": config.path, "problems": error.diagnostics.map(\.json)])
            }
            printError(error.description)
            throw ExitCode(error.exitStatus.rawValue)
        } catch {
            try await reporting(json: output.json) { throw error }
        }
    }
}
