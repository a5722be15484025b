import Foundation

/// Runs a step as `cutover <step> -c <config> --env <env> <arguments>`: this same binary, in a process
/// of its own, with the daemon's environment (its AWS credentials, its database URLs) and none of its
/// API secrets.
///
/// A child process rather than a call in the daemon: the step then runs the very code the CLI runs,
/// with the same journal, lock, signals and exit codes, so "the same engine" holds by construction; its
/// console lines are the events; abort is SIGTERM, which is what Jenkins sends when a build is aborted
/// (promote puts every group back, rollback finishes its restores); and a step outlives a daemon that is
/// killed outright, since the child is the leader of a process group of its own.
public struct ProcessStepRunner: OperationRunner {
    public let definition: StepDefinition
    /// The cutover binary (the daemon's own executable).
    public let executable: String
    /// The daemon's config, used when a request names none.
    public let defaultConfig: String
    /// The daemon's environment; what the child gets is derived from it by `childEnvironment`.
    public let environment: [String: String]
    /// A step process started ahead of need, shared by every step's runner; nil starts each child cold.
    public let warm: WarmStepProcess?

    public var kind: String { definition.name }

    public init(definition: StepDefinition, executable: String, defaultConfig: String, environment: [String: String],
                warm: WarmStepProcess? = nil) {
        self.definition = definition
        self.executable = executable
        self.defaultConfig = defaultConfig
        self.environment = environment
        self.warm = warm
    }

    public func check(_ request: OperationRequest) throws {
        let step = try StepRequest.decode(request.options)
        if let config = step.config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw StepRequestError("the daemon cannot read the config \(config); run the client where the daemon shares its files (the pod's workspace, the same host), or omit `config` to use the daemon's own")
            }
            if let expected = step.configSHA256, expected.lowercased() != StepRequest.configDigest(data) {
                throw StepRequestError("the config at \(config) is not the file the client read (SHA-256 differs): the daemon sees another file at that path")
            }
        }
        if let directory = step.workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw StepRequestError("the working directory \(directory) does not exist for the daemon")
            }
        }
        do {
            try definition.check(arguments(for: step, environment: request.environment))
        } catch {
            throw StepRequestError("\(definition.command.joined(separator: " ")): \(error)")
        }
    }

    func arguments(for step: StepRequest, environment: String) -> [String] {
        ["--config=\(step.config ?? defaultConfig)", "--env=\(environment)"] + step.arguments
    }

    public func run(_ request: OperationRequest, context: OperationContext) async -> OperationOutcome {
        let step: StepRequest
        do { step = try StepRequest.decode(request.options) } catch {
            return OperationOutcome(exitCode: 64, errorCode: "operation.bad-request", errorMessage: "\(error)")
        }
        let arguments = definition.command + arguments(for: step, environment: request.environment)
        await context.emit("cutover \(arguments.joined(separator: " "))")
        let childEnvironment = Self.childEnvironment(environment, for: request.environment, build: step.build, operation: context.id)
        let child: ChildProcess
        if let spare = warm?.take(StepWorkerRequest(arguments: arguments, environment: childEnvironment, directory: step.workingDirectory)) {
            child = spare
        } else {
            do {
                child = try ChildProcess.start(executable, arguments, environment: childEnvironment, directory: step.workingDirectory)
            } catch {
                return OperationOutcome(exitCode: 1, errorCode: "operation.start", errorMessage: "cannot start \(executable): \(error)")
            }
        }
        defer { warm?.refill() }
        // Abort is the signal Jenkins sends an aborted step: each command knows what to do with it.
        let aborter = Task {
            await context.abortRequested()
            guard !Task.isCancelled else { return }
            await context.emit("abort requested: sending SIGTERM to the step (promote puts every group back, rollback finishes)")
            child.signal(SIGTERM)
        }
        var stdout = Data(), lastError: (code: String, message: String)?
        for await line in child.lines {
            switch line.stream {
            case .stdout:
                stdout.append(Data((line.text + "\n").utf8))
                await context.emit(line.text, kind: .output)
            case .stderr:
                if let error = Self.errorLine(line.text) { lastError = error }
                await context.emit(line.text, kind: .progress)
            }
        }
        let status = await child.exitStatus()
        aborter.cancel()
        let json = step.arguments.contains("--json") && (try? JSONSerialization.jsonObject(with: stdout)) != nil
        return OperationOutcome(exitCode: status, result: json ? stdout : nil,
                                errorCode: status == 0 ? nil : lastError?.code, errorMessage: status == 0 ? nil : lastError?.message)
    }

    /// `error[promote.preflight]: message` → its code and message.
    static func errorLine(_ line: String) -> (code: String, message: String)? {
        guard line.hasPrefix("error["), let close = line.firstIndex(of: "]") else { return nil }
        let code = line[line.index(line.startIndex, offsetBy: 6)..<close]
        let rest = line[line.index(after: close)...].drop { $0 == ":" || $0 == " " }
        return (String(code), String(rest))
    }

    /// The daemon's environment less its secrets and what only the daemon acts on: what a step process
    /// starts with (a waiting one keeps it until its request replaces it whole).
    public static func baseEnvironment(_ daemon: [String: String]) -> [String: String] {
        let dropped: Set<String> = ["CUTOVER_API_TOKEN", "CUTOVER_READ_TOKEN", "CUTOVER_WEBHOOK_SECRET", "CUTOVER_SERVER", "JENKINS_TOKEN"]
        return daemon.filter { !dropped.contains($0.key) && !$0.key.hasPrefix("DATABASE_URL_") }
    }

    /// The daemon's environment less what the step must not see or must not act on: the API tokens and
    /// webhook secret (a step never needs them), CUTOVER_SERVER (the child runs the step itself, it does
    /// not call back), the Jenkins token. DATABASE_URL_<ENV> (e.g. DATABASE_URL_STAGING) becomes the
    /// step's DATABASE_URL, so one daemon can hold the URL of every environment's database.
    static func childEnvironment(_ daemon: [String: String], for environmentName: String, build: [String: String],
                                 operation: String) -> [String: String] {
        var child = baseEnvironment(daemon)
        let suffix = environmentName.uppercased().map { $0 == "-" ? "_" : $0 }
        if let url = daemon["DATABASE_URL_" + String(suffix)] { child["DATABASE_URL"] = url }
        for (key, value) in build where StepRequest.buildVariables.contains(key) { child[key] = value }
        child["CUTOVER_OPERATION"] = operation
        return child
    }
}
