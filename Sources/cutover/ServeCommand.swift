import ArgumentParser
import CutoverCore
import CutoverHTTP
import CutoverJenkins
import CutoverRender
import CutoverServer
import CutoverState
import Foundation
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the sidecar: keep Jenkins in step with the config, and answer the API.",
        discussion: """
        Watches the config (the file, or with --watch git the branch of jenkins.source, fetched into a bare \
        clone) every --watch-interval seconds; on every change it validates, renders and registers what \
        differs in Jenkins, as `cutover register` does. An invalid config is never registered: the last good \
        one stays, and GET /v1/reconcile lists its problems. The config must be valid at startup. \
        Tokens: CUTOVER_API_TOKEN (operate), CUTOVER_READ_TOKEN (read), or --token-file with lines \
        `operate <token>` / `read <token>`. Webhooks: CUTOVER_WEBHOOK_SECRET. Jenkins: JENKINS_URL, \
        JENKINS_USER, JENKINS_TOKEN (the Jenkins URL is read once, at startup). Steps (POST \
        /v1/environments/ENV/STEP) run as `cutover STEP` child processes with this daemon's environment \
        (AWS credentials; DATABASE_URL_<ENV> becomes the step's DATABASE_URL) and none of its tokens; one \
        such process is kept started and waiting for the next step (--no-spare: none). \
        SIGTERM or SIGINT: stop accepting, let a registration or operation in progress end (within \
        --shutdown-timeout), then abort what is left (a promote puts every group back, within 30 s), exit 0.
        """
    )

    enum WatchMode: String, ExpressibleByArgument, CaseIterable {
        /// `off`: never registers on its own (a sidecar in every agent pod must not; one daemon does).
        case file, git, off
    }

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var config: ConfigOptions
    @Option(help: ArgumentHelp("Address to listen on; another than loopback only when you mean it.", valueName: "host:port"))
    var listen = "127.0.0.1:8780"
    @Option(help: ArgumentHelp("Seconds between two looks at the config.", valueName: "seconds"))
    var watchInterval = 10
    @Option(help: ArgumentHelp("What to watch: the config file, the git branch of jenkins.source, or nothing (register only on POST /v1/reconcile or a webhook).", valueName: "file|git|off"))
    var watch = WatchMode.file
    @Option(help: ArgumentHelp("Where --watch git keeps its bare clone. Default: $STATE_DIRECTORY/source (systemd), else a directory under the system's temporary directory.", valueName: "dir"))
    var cloneDir: String?
    @Flag(help: "Delete managed jobs in the environment folders that the config no longer has.")
    var prune = false
    @Flag(help: "Serve the status page (/) and /metrics without a token (to anyone who can reach --listen).")
    var publicRead = false
    @Flag(inversion: .prefixedNo, help: "Keep one step process started and waiting, so a step does not wait for a process start (about 8 ms of each step; the waiting process costs about 10 MiB of shared memory).")
    var spare = true
    @Option(help: ArgumentHelp("Log lines as text or as one JSON object per line (stderr).", valueName: "text|json"))
    var logFormat = LogFormat.text
    @Option(help: ArgumentHelp("File of API tokens, lines `operate <token>` or `read <token>`.", valueName: "path"))
    var tokenFile: String?
    @Option(name: .long, help: ArgumentHelp("Directory of templates overriding the built-in ones.", valueName: "dir"))
    var templates: String?
    @Option(help: ArgumentHelp("Seconds a shutdown waits for running work before stopping it.", valueName: "seconds"))
    var shutdownTimeout = 30
    @OptionGroup var jenkins: JenkinsOptions
    @OptionGroup var aws: AWSOptions

    func validate() throws {
        guard (1...3600).contains(watchInterval) else { throw ValidationError("--watch-interval must be from 1 to 3600 seconds") }
        guard (1...600).contains(shutdownTimeout) else { throw ValidationError("--shutdown-timeout must be from 1 to 600 seconds") }
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen \(listen.debugDescription) is not host:port (e.g. 127.0.0.1:8780 or [::1]:8780)") }
    }

    func run() async throws {
        try await reporting {
            let logger = bootstrapLogging()
            let environment = ProcessInfo.processInfo.environment
            let tokens = try TokenSet.load(environment: environment, file: tokenFile)
            guard !tokens.isEmpty else {
                throw ValidationError("no API token: set CUTOVER_API_TOKEN (operate) or CUTOVER_READ_TOKEN (read), or pass --token-file")
            }
            let loaded = try config.load()
            let client = try jenkins.client(config: loaded)
            let reconciler = Reconciler(
                source: try source(for: loaded),
                registrar: JenkinsPipelineRegistrar(jenkins: client, serverLabel: client.baseURL.absoluteString,
                                                    renderer: try Renderer(templates: templates.map(TemplateSet.init(overrides:)) ?? TemplateSet())),
                prune: prune, logger: logger)
            let steps = ServeSteps.runners(config: config.path, environment: environment, spare: spare)
            defer { steps.warm?.stop() }
            let operations = OperationRegistry(runners: steps.runners)
            let fixedChecks = [configCheck(reconciler), ClosureCheck.jenkins(client)]
            let awsChecks = FollowsAppliedConfig(reconciler, startup: loaded) { [aws] config in Self.awsChecks(config, aws: aws) }
            let liveStatus = FollowsAppliedConfig(reconciler, startup: loaded) { [aws] config in
                LiveStatus(config: config, environments: config.environments, aws: aws, approvals: client, approvalsProblem: nil)
            }
            let services = ServerServices(
                tokens: tokens, webhooks: WebhookVerifier(secret: environment["CUTOVER_WEBHOOK_SECRET"]), reconciler: reconciler,
                readiness: Readiness { fixedChecks + (await awsChecks.current()) },
                operations: operations, logger: logger,
                status: StatusServices(system: loaded.name, version: Cutover.version, source: ReconciledLiveStatus(status: liveStatus),
                                       publicRead: publicRead))
            let address = ListenAddress(listen)!
            if !address.isLoopback {
                logger.warning("listening on a non-loopback address: anyone who can reach it can try tokens; put TLS in front", metadata: ["address": .string(listen)])
            }
            let counts = tokens.counts
            let app = CutoverServerApp.buildApplication(
                services, host: address.host, port: address.port,
                extraServices: (watch == .off ? [] : [ConfigWatcher(reconciler: reconciler, interval: .seconds(watchInterval), logger: logger)])
                    + [OperationsService(registry: operations, deadline: .seconds(shutdownTimeout), abortGrace: Self.abortGrace, logger: logger)],
                onListening: { host, port in
                    logger.info("listening", metadata: ["url": .string("http://\(host.contains(":") ? "[\(host)]" : host):\(port)"),
                                                        "operate_tokens": .stringConvertible(counts[.operate] ?? 0),
                                                        "read_tokens": .stringConvertible(counts[.read] ?? 0),
                                                        "webhooks": .stringConvertible(services.webhooks.isConfigured)])
                })
            var groupConfiguration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            // Past the deadline, operations are aborted (a promote reverts) and given abortGrace to finish that.
            groupConfiguration.maximumGracefulShutdownDuration = .seconds(shutdownTimeout) + Self.abortGrace + .seconds(5)
            groupConfiguration.maximumCancellationDuration = .seconds(5)
            try await ServiceGroup(configuration: groupConfiguration).run()
            logger.info("stopped")
        }
    }

    /// How long an aborted operation gets to put traffic back (or finish its restores) at shutdown.
    static let abortGrace = Duration.seconds(30)

    private func bootstrapLogging() -> Logger {
        let format = logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .json: JSONLogHandler(label: label)
            case .text: StreamLogHandler.standardError(label: label)
            }
        }
        return Logger(label: "cutover.serve")
    }

    /// Watching: the latest config read is valid and registered. Not watching: it was valid at startup
    /// (or is, after an explicit reconcile).
    private func configCheck(_ reconciler: Reconciler) -> any ReadinessCheck {
        guard watch == .off else { return ClosureCheck.config(reconciler) }
        return ClosureCheck("config") {
            if let first = await reconciler.currentStatus().diagnostics.first {
                throw ReadinessFailure("the config has problems, the first at \(first.location): \(first.message)")
            }
        }
    }

    private func source(for config: Config) throws -> any ConfigSource {
        switch watch {
        case .file, .off:
            return FileConfigSource(path: self.config.path)
        case .git:
            let environment = ProcessInfo.processInfo.environment
            let base = environment["STATE_DIRECTORY"].flatMap { $0.isEmpty ? nil : $0.split(separator: ":").first.map(String.init) }
            let directory = cloneDir ?? base.map { "\($0)/source" }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("cutover-serve-\(config.name)").path
            return GitConfigSource(url: config.jenkins.source.url, branch: config.jenkins.source.branch,
                                   path: config.jenkins.configPath, directory: directory)
        }
    }

    /// AWS and state store reachability per distinct endpoint and store location. A store that cannot
    /// even be set up (no credentials) is a failing check, not a failed start.
    private static func awsChecks(_ config: Config, aws: AWSOptions) -> [any ReadinessCheck] {
        let transport = AsyncHTTPTransport(maxBodyBytes: 1 << 16)
        let variables = ProcessInfo.processInfo.environment
        var endpoints: [String: URL] = [:], stores: [String: any ReadinessCheck] = [:]
        for environment in config.environments {
            let text = variables["AWS_ENDPOINT_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? environment.endpoint
                ?? "https://elasticloadbalancing.\(environment.region).amazonaws.com/"
            if let url = URL(string: text) { endpoints[text] = url }
            do {
                let store = try aws.stateStore(for: environment)
                stores[store.location] = stores[store.location] ?? ClosureCheck.stateStore("state \(store.location)", store)
            } catch {
                let message = "\(error)"
                stores["error:\(environment.name)"] = ClosureCheck("state \(environment.name)") { throw ReadinessFailure(message) }
            }
        }
        let awsChecks = endpoints.sorted { $0.key < $1.key }.map { ClosureCheck.reachable("aws \($0.key)", $0.value, transport: transport) }
        return awsChecks + stores.sorted { $0.key < $1.key }.map(\.value)
    }
}

/// `host:port` or `[v6]:port`, as `--listen` takes it.
struct ListenAddress: Equatable {
    var host: String
    var port: Int

    init?(_ text: String) {
        let hostPart: Substring, portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            guard text[text.index(after: close)...].hasPrefix(":") else { return nil }
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65535).contains(port) else { return nil }
        host = String(hostPart)
        self.port = port
    }

    var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
