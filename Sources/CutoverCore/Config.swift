/// The validated release system: everything cutover does is derived from this one value.
///
/// A `Config` is fully resolved: per-environment overrides are merged and `{env}`/`{sport}`/`{service}`
/// placeholders expanded, so consumers never see a template or an optional that validation guaranteed.
public struct Config: Sendable, Equatable {
    /// The system's name: `spectate`. Used in lock names and descriptions.
    public var name: String
    /// The path the config was loaded from, as given.
    public var path: String
    public var jenkins: JenkinsSettings
    public var environments: [Environment]

    public func environment(named name: String) -> Environment? {
        environments.first { $0.name == name }
    }
}

/// Where the pipelines live and how they reach the repository and the binary.
public struct JenkinsSettings: Sendable, Equatable {
    /// The Jenkins base URL (the `register` command may override it with `JENKINS_URL`).
    public var url: String?
    /// Folder path the environments' folders are created in; empty for the Jenkins root.
    public var folder: [String]
    /// The repository holding the config; every pipeline checks it out first.
    public var source: GitSource
    /// Path of the config file inside `source`.
    public var configPath: String
    /// The cutover binary on the agent (a name on PATH or a path).
    public var binary: String
    /// How many builds each job keeps.
    public var keepBuilds: Int
    /// `inline`: the Jenkinsfile lives in the job's config.xml. `scm`: the job reads the rendered
    /// Jenkinsfile from `source` at `renderedPath/<env>/<pipeline>/Jenkinsfile`.
    public var pipelineSource: PipelineSource
    /// Where `render` writes by default, relative to the repository (also the scm script path root).
    public var renderedPath: String
    /// When set, the pipelines' steps run on a `cutover serve` sidecar and bind only its token.
    public var sidecar: Sidecar? = nil
    /// How the pipelines load the shared library: an inline `library` retriever, or the environment
    /// folder's library property (which `register` keeps in step).
    public var library: LibraryMode = .inline
}

/// `jenkins.library`: where the pipelines' `library` step finds the cutover shared library.
public enum LibraryMode: String, Sendable, Equatable, CaseIterable {
    /// `library identifier: 'cutover@<branch>', retriever: modernSCM(…)` in every Jenkinsfile.
    case inline
    /// A `FolderLibraries` property named cutover on the environment folder; Jenkinsfiles say `library 'cutover@<branch>'`.
    case folder
}

/// `jenkins.sidecar`: the daemon the pipelines' steps call (`cutover <step>` with `CUTOVER_SERVER`), so
/// AWS credentials live in the sidecar alone.
public struct Sidecar: Sendable, Equatable {
    /// Where the steps reach it, from the agent: `http://127.0.0.1:8780` in a pod or beside a VM agent.
    public var url: String
    /// Jenkins secret-text credential holding the sidecar's operate token (bound as CUTOVER_API_TOKEN).
    public var credential: String
    /// When set, the pipelines run in a Kubernetes agent pod with a `cutover` container running `cutover serve`.
    public var kubernetes: KubernetesAgent?
}

/// The agent pod the pipelines ask the Kubernetes plugin for: `jnlp` plus the sidecar.
public struct KubernetesAgent: Sendable, Equatable {
    /// The image with the cutover binary (the sidecar container's image).
    public var image: String
    /// The pod's service account (for IAM roles for service accounts); nil for the namespace default.
    public var serviceAccount: String?
    /// Kubernetes secret holding the sidecar's environment (CUTOVER_API_TOKEN, AWS credentials, …), mounted with envFrom.
    public var secret: String?
}

public enum PipelineSource: String, Sendable, Equatable, CaseIterable {
    case inline
    case scm
}

/// A git repository and branch, with the Jenkins credential that can read it.
public struct GitSource: Sendable, Equatable {
    public var url: String
    public var branch: String
    /// Jenkins credential ID; nil for a public repository or agent-level access.
    public var credential: String?
}

/// Jenkins credential IDs the pipelines bind. Never secrets: Jenkins holds those.
public struct CredentialIDs: Sendable, Equatable {
    /// AWS access key pair (AmazonWebServicesCredentialsBinding); nil when agents use an instance role.
    public var aws: String?
}

/// One environment (staging, production): its own folder with its own four pipelines.
public struct Environment: Sendable, Equatable {
    public var name: String
    public var region: String
    /// An endpoint override for every AWS call (tests point this at an emulator).
    public var endpoint: String?
    public var agent: String
    public var approvers: [String]
    public var credentials: CredentialIDs
    public var database: Database?
    public var promotion: Promotion
    public var services: [Service]
    /// Where the release journals and the traffic lock live (`state:` here, else at the top level):
    /// `s3://bucket/prefix` or an absolute directory; nil for the local default. Checked by
    /// `StateLocationSyntax`; `CUTOVER_STATE` overrides it at run time.
    public var state: String? = nil

    /// Every deployable unit in config order: one per service, or one per sport for fan-out services.
    public var units: [DeployUnit] { services.flatMap(\.units) }

    public func service(named name: String) -> Service? {
        services.first { $0.name == name }
    }
}

/// The Aurora PostgreSQL database and where its Prisma migrations come from.
public struct Database: Sendable, Equatable {
    /// The Aurora cluster identifier (the writer endpoint is resolved from it).
    public var cluster: String
    /// Path of the Prisma `migrations` folder inside `repository`.
    public var migrations: String
    /// Jenkins credential ID of a secret text holding the database URL.
    public var credential: String
    public var repository: GitSource
}

/// How traffic moves from blue to green.
public struct Promotion: Sendable, Equatable {
    /// Promote all units at once (true) or one after another.
    public var parallel: Bool
    /// Green's weight after each step, ascending, ending at 100.
    public var steps: [Int]
    /// Seconds to wait between steps while watching health.
    public var bakeSeconds: Int
    /// Share of green's targets that must be healthy before and during promotion.
    public var minHealthyPercent: Int
    /// Seconds to wait for green to become healthy.
    public var healthTimeoutSeconds: Int

    public init(parallel: Bool, steps: [Int], bakeSeconds: Int, minHealthyPercent: Int, healthTimeoutSeconds: Int) {
        self.parallel = parallel
        self.steps = steps
        self.bakeSeconds = bakeSeconds
        self.minHealthyPercent = minHealthyPercent
        self.healthTimeoutSeconds = healthTimeoutSeconds
    }
}

public enum ServiceKind: String, Sendable, Equatable, CaseIterable {
    /// A container service on ECS: cutover creates the green service, task definition and target group.
    case ecs
    /// A fleet of instances deployed by Ansible into a fixed pair of blue and green target groups.
    case instances
}

/// A service as configured: one or (with `sports`) several deployable units.
public struct Service: Sendable, Equatable {
    public var name: String
    public var kind: ServiceKind
    /// The sports this service fans out to; empty when it does not.
    public var sports: [String]
    public var units: [DeployUnit]
}

/// Where a unit's traffic is split: a listener's default action, or one of its rules.
public struct Route: Sendable, Equatable {
    public var listenerARN: String
    public var rule: RuleMatch?

    public init(listenerARN: String, rule: RuleMatch?) {
        self.listenerARN = listenerARN
        self.rule = rule
    }
}

/// Identifies a listener rule: by ARN, or by what it matches on its listener.
public enum RuleMatch: Sendable, Equatable {
    case arn(String)
    case priority(Int)
    case pathPattern(String)
    case hostHeader(String)
}

/// The smallest thing that is deployed and promoted on its own: a service, or one sport of a service.
public struct DeployUnit: Sendable, Equatable {
    public var service: String
    public var sport: String?
    public var route: Route
    /// The target group serving before the first release cutover manages.
    public var blueTargetGroup: String
    /// The second target group (instances) or the green group's name (ECS, optional: derived if nil).
    public var greenTargetGroup: String?
    public var deployment: Deployment
    /// Optional HTTP checks `verify` runs against each target of the release.
    public var smoke: [SmokeCheck] = []

    /// `frontend`, or `feed-normalizer/football` for one sport of a fan-out service.
    public var id: String { sport.map { "\(service)/\($0)" } ?? service }

    public var kind: ServiceKind {
        switch deployment {
        case .ecs: .ecs
        case .ansible: .instances
        }
    }
}

/// How green is brought up.
public enum Deployment: Sendable, Equatable {
    case ecs(ECSDeployment)
    case ansible(AnsibleDeployment)
}

public struct ECSDeployment: Sendable, Equatable {
    public var cluster: String
    /// The blue (live) ECS service the green copy is cloned from.
    public var service: String
    public var taskFamily: String
    public var containerName: String
    public var containerPort: Int
    /// Desired count of the green service; nil copies the blue service's.
    public var desiredCount: Int?

    public init(cluster: String, service: String, taskFamily: String, containerName: String, containerPort: Int, desiredCount: Int?) {
        self.cluster = cluster
        self.service = service
        self.taskFamily = taskFamily
        self.containerName = containerName
        self.containerPort = containerPort
        self.desiredCount = desiredCount
    }
}

public struct AnsibleDeployment: Sendable, Equatable {
    /// The user's playbook; nil renders cutover's own from templates/ansible.
    public var playbook: String?
    /// Static inventory file with `blue` and `green` groups; nil discovers hosts by EC2 tags.
    public var inventory: String?
    /// Which of cutover's playbooks renders when `playbook` is nil: `frontend` or `feed-normalizer`.
    public var template: String
    /// The port targets serve on (registered in the target group, checked by verify).
    public var port: Int
    /// The service's health endpoint (the playbook waits for it; verify reads the release from it).
    public var healthPath: String
    /// EC2 tags that, besides `cutover:service`, `cutover:sport` and `cutover:color`, select the hosts.
    public var hostTags: [KeyValue]
    /// Extra variables for the playbook, passed as `cutover_<name>`.
    public var variables: [Variable]
    /// How Ansible reaches every host of the unit (`ansible:` in the config), never taken from EC2 tags.
    public var connection: AnsibleConnection

    public init(playbook: String?, inventory: String?, template: String = "frontend", port: Int = 80, healthPath: String = "/health",
                hostTags: [KeyValue] = [], variables: [Variable] = [], connection: AnsibleConnection = AnsibleConnection()) {
        self.playbook = playbook
        self.inventory = inventory
        self.template = template
        self.port = port
        self.healthPath = healthPath
        self.hostTags = hostTags
        self.variables = variables
        self.connection = connection
    }

    public struct KeyValue: Sendable, Equatable {
        public var key: String
        public var value: String
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// A playbook variable: one string or a list of strings.
    public struct Variable: Sendable, Equatable {
        public var name: String
        public var values: [String]
        public var isList: Bool
        public init(name: String, values: [String], isList: Bool) {
            self.name = name
            self.values = values
            self.isList = isList
        }
    }
}

/// Connection settings for every host of a fleet unit. They decide what runs where (a local connection
/// runs the playbook's tasks on the Jenkins agent), so they come from the config or a static inventory,
/// which only people who may change the release may write, and never from an instance's tags.
public struct AnsibleConnection: Sendable, Equatable {
    /// The connection plugins cutover accepts for `ansible.connection`.
    public static let plugins = ["ssh", "local", "paramiko_ssh"]

    /// `ansible_connection`; nil leaves Ansible's default (ssh) or the static inventory's.
    public var connection: String?
    /// `ansible_python_interpreter`, an absolute path; nil lets Ansible discover it.
    public var pythonInterpreter: String?

    public init(connection: String? = nil, pythonInterpreter: String? = nil) {
        self.connection = connection
        self.pythonInterpreter = pythonInterpreter
    }

    /// The settings as Ansible variables, only those that are set.
    public var variables: [String: String] {
        var variables: [String: String] = [:]
        variables["ansible_connection"] = connection
        variables["ansible_python_interpreter"] = pythonInterpreter
        return variables
    }
}

/// An HTTP check `verify` makes against every target of the release's colour.
public struct SmokeCheck: Sendable, Equatable {
    public var path: String
    public var status: Int
    public var timeoutSeconds: Int

    public init(path: String, status: Int, timeoutSeconds: Int) {
        self.path = path
        self.status = status
        self.timeoutSeconds = timeoutSeconds
    }
}
