import ArgumentParser
import CutoverCore
import CutoverServer
import Foundation

/// `--server`, on every step the sidecar runs: the step then runs there, and this command only shows
/// its progress and exits with its code.
struct ServerOption: ParsableArguments {
    @Option(help: ArgumentHelp("Run the step on a `cutover serve` sidecar at this URL (its AWS credentials, its lock); progress streams here and the exit code is the step's. Default: $CUTOVER_SERVER. Token: $CUTOVER_API_TOKEN. An empty value runs the step here.", valueName: "url"))
    var server: String?

    var url: String? {
        let value = server ?? ProcessInfo.processInfo.environment["CUTOVER_SERVER"]
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs the step on the sidecar when one is named, and then never returns (it exits with the step's
    /// code); returns at once when none is, so the command runs here.
    func forwardIfSet(_ command: [String], config: ConfigOptions, environment: EnvironmentOption) async throws {
        guard let url else { return }
        try await RemoteStep(server: url, command: command, configPath: config.path, configGiven: config.config != nil,
                             environmentName: environment.name).run()
    }
}

/// One step run on the sidecar: the request built from this command line, the progress printed as the
/// step prints it (its stdout here on stdout, its console lines on stderr), SIGINT/SIGTERM passed on as
/// an abort, a dropped connection re-attached.
struct RemoteStep {
    var server: String
    var command: [String]
    /// `--config`, `$CUTOVER_CONFIG` or cutover.yml; `configGiven` when named on the command line.
    var configPath: String
    var configGiven: Bool
    /// `--env` or `$CUTOVER_ENV`.
    var environmentName: String?

    func run() async throws {
        let variables = ProcessInfo.processInfo.environment
        guard server.hasPrefix("http://") || server.hasPrefix("https://"), URL(string: server)?.host != nil else {
            throw ValidationError("--server \(server.debugDescription) is not an http(s) URL (e.g. http://127.0.0.1:8780)")
        }
        guard let token = variables["CUTOVER_API_TOKEN"], !token.isEmpty else {
            throw ValidationError("--server needs the sidecar's operate token in CUTOVER_API_TOKEN (never on the command line)")
        }
        let body = try requestBody(variables)
        let environmentName = try resolveEnvironment()
        let step = ServeSteps.definition(command: command)!.name
        let client = SidecarClient(baseURL: server, token: token)
        let abort = AbortOnSignal(client: client)
        let final: OperationSummary
        do {
            final = try await client.run(
                step: step, environment: environmentName, body: body,
                onStart: { summary in
                    abort.arm(summary.id)
                    printError("cutover: \(command.joined(separator: " ")) runs on the sidecar \(server) as \(summary.id)")
                },
                onReattach: { printError("cutover: \($0)") },
                onEvent: { event in
                    switch event.kind {
                    case .output: FileHandle.standardOutput.write(Data((event.message + "\n").utf8))
                    case .progress: printError(event.message)
                    case .result: break
                    }
                })
        } catch let error as SidecarError {
            printError("error[\(error.code)]: \(error.message)")
            throw ExitCode(error.exitStatus)
        }
        // Exit here rather than unwind: unwinding would first shut the HTTP client down (close its pool and
        // wait for that, a few milliseconds of a short step's console time) for a process that ends anyway.
        // Everything this command printed went through unbuffered file handles.
        exit(final.outcome?.exitCode ?? ExitStatus.failure.rawValue)
    }

    /// The words after the command, less what the daemon sets itself, plus where the config is.
    func requestBody(_ variables: [String: String]) throws -> Data {
        var body = Body(arguments: Self.forwardedArguments(Array(CommandLine.arguments.dropFirst(1 + command.count))))
        // The config travels as a path the daemon must read itself (a shared workspace or host), with
        // its hash so another file at the same path is refused; without a local file, the daemon's own.
        let path = configPath
        if let data = FileManager.default.contents(atPath: path) {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            body.config = URL(fileURLWithPath: absolute).standardizedFileURL.path
            body.configSHA256 = StepRequest.configDigest(data)
            body.workingDirectory = FileManager.default.currentDirectoryPath
        } else if configGiven {
            throw ValidationError("no config at \(path)")
        }
        let build = variables.filter { StepRequest.buildVariables.contains($0.key) && !$0.value.isEmpty }
        if !build.isEmpty { body.build = build }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(body)
    }

    /// What `StepRequest.decode` reads, in the spelling the CLI sends (absent keys are left out).
    struct Body: Encodable {
        var arguments: [String]
        var config: String?
        var configSHA256: String?
        var workingDirectory: String?
        var build: [String: String]?
    }

    /// Drops `--server`, `--config`/`-c` and `--env` (with their values, in either spelling).
    static func forwardedArguments(_ words: [String]) -> [String] {
        let withValue: Set<String> = ["--server", "--config", "-c", "--env"]
        var out: [String] = [], skip = false
        for (index, word) in words.enumerated() {
            if skip { skip = false; continue }
            if word == "--" { out += words[index...]; break }
            if withValue.contains(word) { skip = true; continue }
            if withValue.contains(where: { word.hasPrefix($0 + "=") }) { continue }
            out.append(word)
        }
        return out
    }

    /// --env, $CUTOVER_ENV, or the local config's only environment.
    func resolveEnvironment() throws -> String {
        if let environmentName { return environmentName }
        if let loaded = try? ConfigLoader.load(path: configPath), loaded.environments.count == 1 { return loaded.environments[0].name }
        throw ValidationError("with --server, name the environment: --env NAME or CUTOVER_ENV")
    }
}

/// SIGINT/SIGTERM (Ctrl-C, a Jenkins abort) while a step runs on the sidecar: ask the daemon to abort
/// it and keep following, so the console shows the revert and the exit code is the step's. A second
/// signal stops following; the operation still ends in the daemon.
final class AbortOnSignal: @unchecked Sendable {
    private let client: SidecarClient
    private let lock = NSLock()
    private var id: String?
    private var signals = 0
    private var sources: [any DispatchSourceSignal] = []

    init(client: SidecarClient) {
        self.client = client
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.received(number) }
            source.resume()
            sources.append(source)
        }
    }

    func arm(_ id: String) { lock.withLock { self.id = id } }

    private func received(_ number: Int32) {
        let (id, count) = lock.withLock { () -> (String?, Int) in
            signals += 1
            return (self.id, signals)
        }
        guard let id, count == 1 else {
            printError("cutover: signal \(number) again: no longer following; the operation \(id ?? "") goes on in the sidecar")
            exit(128 + number)
        }
        printError("cutover: signal \(number): asking the sidecar to abort \(id); following it to its end")
        Task { [client] in
            do { try await client.abort(id) } catch { printError("cutover: the abort request failed: \(error)") }
        }
    }
}

extension RemoteStep {
    /// The step `words` (the command line after the program name) run on a sidecar, read without
    /// ArgumentParser; nil unless the words are plainly a sidecar step with a server named (by
    /// `--server` or $CUTOVER_SERVER). The client only forwards the words: the sidecar checks them with
    /// the step's own parser and answers a mistake with its message and exit code 64, as the command
    /// would here. Building the parser's model of a step's options is a fifth of a short step's client
    /// CPU, so a client that has nothing to parse skips it. Anything unusual (help, an option given twice,
    /// a short option but `-c`, an option without its value) returns nil and takes the full parser.
    static func fromCommandLine(_ words: [String], environment variables: [String: String]) -> RemoteStep? {
        guard let definition = ServeSteps.definitions.first(where: { words.starts(with: $0.command) }) else { return nil }
        let names = ["--server": "server", "--config": "config", "-c": "config", "--env": "env"]
        var values: [String: String] = [:]
        let rest = Array(words.dropFirst(definition.command.count))
        var index = 0
        while index < rest.count {
            let word = rest[index]
            index += 1
            if word == "--" { break }
            if ["--help", "-h", "--version", "--experimental-dump-help"].contains(word) || word.hasPrefix("--generate-completion") { return nil }
            if word.hasPrefix("-") && !word.hasPrefix("--") && word != "-c" { return nil }
            let (name, inline) = word.firstIndex(of: "=").map { (String(word[..<$0]), Optional(String(word[word.index(after: $0)...]))) } ?? (word, nil)
            guard let key = names[name] else { continue }
            if name == "-c" && inline != nil { return nil }
            guard values[key] == nil else { return nil }
            if let inline {
                values[key] = inline
            } else {
                guard index < rest.count, !rest[index].hasPrefix("-") else { return nil }
                values[key] = rest[index]
                index += 1
            }
        }
        let server = values["server"] ?? variables["CUTOVER_SERVER"]
        guard let server, !server.isEmpty else { return nil }
        let configPath = values["config"] ?? variables["CUTOVER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "cutover.yml"
        return RemoteStep(server: server, command: definition.command, configPath: configPath, configGiven: values["config"] != nil,
                          environmentName: values["env"] ?? variables["CUTOVER_ENV"].flatMap { $0.isEmpty ? nil : $0 })
    }
}
