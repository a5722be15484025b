import CutoverCore

/// What a pipeline template sees. Field names are the template contract documented in
/// templates/README.md: every value is plain text, escaped by the template's CONTENT_TYPE when inserted.
struct PipelineView {
    struct Parameter {
        var name: String
        var defaultValue: String
        var description: String
    }

    struct Variable {
        var name: String
        var value: String
    }

    struct Git {
        var url: String
        var branch: String
        var credential: String?
    }

    /// One deployable unit's stages: the library step that brings up its green (`cutoverProvision` for
    /// ECS, `cutoverDeploy` for instances) and the build parameter carrying its image or artifact.
    struct Unit {
        var id: String
        var service: String
        var sport: String?
        var kind: String
        var ecs: Bool
        var artifactParameter: String
    }

    /// Where the pipelines load the cutover shared library from: the config repository, at the config's
    /// branch, so pipelines and steps always come from the same commit line.
    struct Library {
        var name: String
        var version: String
        var url: String
        var credential: String?
        var path: String
        /// `jenkins.library: folder`: the environment folder's library property names the repository,
        /// so the Jenkinsfile only asks for `name@version`.
        var folder: Bool
    }

    /// `agent { kubernetes { … } }`: the pod's YAML (`kubernetes/agent-pod.yaml`), one line each, so each can
    /// be escaped for the Groovy string it lands in, and the fixed workspace the sidecar reads the config from.
    struct KubernetesAgent {
        var lines: [String]
        var workspace: String
    }

    var system: String
    var environment: String
    var configPath: String
    var pipeline: String
    var summary: String
    var agentLabel: String?
    /// Set when `jenkins.sidecar.kubernetes` is: it replaces `agentLabel`.
    var kubernetes: KubernetesAgent?
    var keepBuilds: Int
    var lock: String
    var parameters: [Parameter]
    var variables: [Variable]
    var source: Git
    var awsCredential: String?
    /// The units as the templates see them (`Unit.fields` each). Built once per environment and shared
    /// by its four pipelines: with thousands of units it is most of the work of building a view.
    var units: TemplateValue
    var approvers: String
    /// Parameters a pipeline hands on to the next one (`build job:`), by name.
    var releaseParameters: [Parameter]
    var database: DatabaseView?
    var library: Library
    /// The workspace file the dry-run plan is kept in for the approval message.
    var planFile: String
    /// The session lock_timeout of every migration, so a migration queued behind a long-running query
    /// fails fast instead of stalling the traffic queued behind its lock; lint checks for it.
    var lockTimeout: String

    struct DatabaseView {
        /// Nil with a sidecar, which holds the database URL itself.
        var credential: String?
        var repository: Git
        var checkoutDir: String
    }
}

/// Builds the template views from the validated config: the one place that decides which library step
/// each stage calls, and with which values.
struct PipelineViewBuilder {
    let config: Config
    let environment: Environment
    private let units: TemplateValue
    /// The rendered agent pod (`kubernetes/agent-pod.yaml`), when the config asks for one.
    private let agentPod: String?

    init(config: Config, environment: Environment, agentPod: String?) {
        self.config = config
        self.environment = environment
        self.agentPod = agentPod
        units = .objects(environment.units.map { Self.unitView($0).fields })
    }

    /// The library's name in `library identifier: '<name>@<version>'`.
    static let libraryName = "cutover"

    static let planFile = "cutover-plan.txt"
    static let migrationLockTimeout = "5s"
    static let migrationsCheckout = "migrations-src"

    func view(for kind: PipelineKind) -> PipelineView {
        let release = PipelineView.Parameter(name: "RELEASE", defaultValue: "",
                                             description: "Release id, e.g. 2026.11.28-1 (letters, digits, '.', '_', '-').")
        let releaseParameters = [release] + artifactParameters
        var parameters: [PipelineView.Parameter]
        switch kind {
        case .dbMigration:
            parameters = releaseParameters + [PipelineView.Parameter(
                name: "MIGRATIONS_REF", defaultValue: environment.database?.repository.branch ?? "main",
                description: "Branch or tag of the migrations repository to apply.")]
        case .serviceDeploy:
            parameters = releaseParameters
        case .promote:
            parameters = [release]
        case .rollback:
            parameters = [release, PipelineView.Parameter(name: "REASON", defaultValue: "manual rollback",
                                                          description: "Why traffic goes back to blue; kept in the release journal.")]
        }
        let lockScope = kind == .promote || kind == .rollback ? "traffic" : kind == .dbMigration ? "database" : "deploy"
        // The library is generic: everything specific to this system and environment reaches its steps
        // through these variables (credential IDs, never secrets) or the steps' arguments.
        let sidecar = config.jenkins.sidecar
        // In a Kubernetes agent pod the steps run the binary the sidecar container shares with them.
        let binary = sidecar?.kubernetes == nil ? config.jenkins.binary : AgentPod.sharedBinary
        var variables = [
            PipelineView.Variable(name: "CUTOVER_CONFIG", value: config.jenkins.configPath),
            PipelineView.Variable(name: "CUTOVER_ENV", value: environment.name),
            PipelineView.Variable(name: "CUTOVER_BINARY", value: binary),
        ]
        if let sidecar {
            // The steps run on the sidecar and bind only its token: the AWS and database credentials
            // live there, so the pipelines name neither.
            variables.append(PipelineView.Variable(name: "CUTOVER_SERVER", value: sidecar.kubernetes == nil ? sidecar.url : AgentPod.url))
            variables.append(PipelineView.Variable(name: "CUTOVER_SIDECAR_CREDENTIALS", value: sidecar.credential))
        } else if let aws = environment.credentials.aws {
            variables.append(PipelineView.Variable(name: "CUTOVER_AWS_CREDENTIALS", value: aws))
        }
        if kind == .dbMigration, let database = environment.database {
            if sidecar == nil {
                variables.append(PipelineView.Variable(name: "CUTOVER_DATABASE_CREDENTIALS", value: database.credential))
            }
            variables.append(PipelineView.Variable(name: "MIGRATIONS_DIR",
                                                   value: "\(Self.migrationsCheckout)/\(database.migrations)"))
        }
        return PipelineView(
            system: config.name, environment: environment.name, configPath: config.path, pipeline: kind.jobName,
            summary: kind.summary,
            agentLabel: environment.agent == "any" ? nil : environment.agent,
            kubernetes: agentPod.map {
                PipelineView.KubernetesAgent(lines: $0.dropLast($0.hasSuffix("\n") ? 1 : 0).split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                                             workspace: AgentPod.workspace)
            },
            keepBuilds: config.jenkins.keepBuilds,
            // One lock name per system, environment and scope: promote and rollback share "traffic",
            // so Jenkins never runs them at the same time.
            lock: "cutover-\(config.name)-\(environment.name)-\(lockScope)",
            parameters: parameters, variables: variables,
            source: git(config.jenkins.source), awsCredential: sidecar == nil ? environment.credentials.aws : nil,
            units: units,
            approvers: environment.approvers.joined(separator: ","),
            releaseParameters: releaseParameters,
            database: environment.database.map {
                PipelineView.DatabaseView(credential: sidecar == nil ? $0.credential : nil, repository: git($0.repository),
                                          checkoutDir: Self.migrationsCheckout)
            },
            library: PipelineView.Library(name: Self.libraryName, version: config.jenkins.source.branch,
                                          url: config.jenkins.source.url, credential: config.jenkins.source.credential,
                                          path: "\(config.jenkins.renderedPath)/\(Renderer.libraryFolder)/",
                                          folder: config.jenkins.library == .folder),
            planFile: Self.planFile, lockTimeout: Self.migrationLockTimeout)
    }

    /// One parameter per service that ships something: an image for ECS, an artifact for instances.
    var artifactParameters: [PipelineView.Parameter] {
        environment.services.map { service in
            PipelineView.Parameter(
                name: Self.artifactParameter(service: service.name, kind: service.kind),
                defaultValue: "",
                description: service.kind == .ecs
                    ? "Container image for \(service.name), e.g. registry/\(service.name):TAG."
                    : "Artifact (package URL or path) for \(service.name).")
        }
    }

    /// `IMAGE_EVENT_MANAGEMENT`, `ARTIFACT_FRONTEND`. Always an identifier, whatever the service name:
    /// it names a build parameter, which Jenkins also exports as an environment variable.
    static func artifactParameter(service: String, kind: ServiceKind) -> String {
        (kind == .ecs ? "IMAGE_" : "ARTIFACT_") + String(service.uppercased().unicodeScalars.map {
            ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") ? Character($0) : "_"
        })
    }

    static func unitView(_ unit: DeployUnit) -> PipelineView.Unit {
        let ecs: Bool
        switch unit.deployment {
        case .ecs: ecs = true
        case .ansible: ecs = false
        }
        return PipelineView.Unit(id: unit.id, service: unit.service, sport: unit.sport, kind: unit.kind.rawValue, ecs: ecs,
                                 artifactParameter: Self.artifactParameter(service: unit.service, kind: unit.kind))
    }

    private func git(_ source: GitSource) -> PipelineView.Git {
        PipelineView.Git(url: source.url, branch: source.branch, credential: source.credential)
    }
}
