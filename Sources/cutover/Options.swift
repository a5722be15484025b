import ArgumentParser
import CutoverCore
import Foundation

/// `--config`, shared by every command that reads cutover.yml.
struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The config file. Default: $CUTOVER_CONFIG, else cutover.yml.", valueName: "path"))
    var config: String?

    var path: String {
        config ?? ProcessInfo.processInfo.environment["CUTOVER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "cutover.yml"
    }

    func load() throws -> Config {
        try ConfigLoader.load(path: path)
    }
}

/// `--env`, for commands that act on one environment.
struct EnvironmentOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The environment. Default: $CUTOVER_ENV, else all (render) or the only one.", valueName: "name"))
    var env: String?

    var name: String? {
        env ?? ProcessInfo.processInfo.environment["CUTOVER_ENV"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// `--json`, for machines.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the result as one JSON document on stdout.")
    var json = false
}
