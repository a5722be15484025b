import ArgumentParser
import CutoverCore
import CutoverJenkins

struct JenkinsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jenkins",
        abstract: "Start and watch the pipelines' builds.",
        subcommands: [JenkinsBuildCommand.self, JenkinsStatusCommand.self]
    )
}

/// JOB as given: a full path (`releases/spectate/staging/promote`), or with `--env` a pipeline name
/// resolved in that environment's folder.
struct JobArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The job: its full path, or with --env a pipeline name (promote).", valueName: "job"))
    var job: String

    @Option(name: .long, help: ArgumentHelp("Resolve a bare pipeline name in this environment's folder (needs the config).", valueName: "name"))
    var env: String?

    func path(config: ConfigOptions) throws -> (ItemPath, Config?) {
        if job.contains("/") || env == nil {
            return (ItemPath(parsing: job), try? config.load())
        }
        let loaded = try config.load()
        guard let env, loaded.environment(named: env) != nil else {
            throw ValidationError("no environment '\(env ?? "")' in \(config.path); it has: \(loaded.environments.map(\.name).joined(separator: ", "))")
        }
        return (ItemPath(loaded.jenkins.folder).appending(env).appending(job), loaded)
    }
}
