import Foundation

/// Everything the status page shows, as plain values: the sidecar and `cutover status --html` fill it
/// from AWS, the state store, Jenkins and the operation registry, and `StatusPageHTML` renders it. No
/// I/O here, so rendering is measured and tested on its own.
public struct StatusPage: Sendable, Codable, Equatable {
    public var system: String
    public var version: String
    public var generatedAt: Date
    /// Seconds between reloads (a `<meta refresh>`); nil for a file archived by a pipeline.
    public var refreshSeconds: Int?
    public var environments: [EnvironmentStatus]

    public init(system: String, version: String, generatedAt: Date, refreshSeconds: Int?, environments: [EnvironmentStatus]) {
        self.system = system
        self.version = version
        self.generatedAt = generatedAt
        self.refreshSeconds = refreshSeconds
        self.environments = environments
    }
}

/// One environment: its groups as AWS reports them now, who holds the lock, what runs, what waits for
/// approval, and what happened.
public struct EnvironmentStatus: Sendable, Codable, Equatable {
    public var name: String
    public var groups: [GroupStatus]
    /// The lock holder as `LockHolder` describes it; nil when free.
    public var lock: String?
    public var operations: [OperationStatus]
    public var approvals: [Approval]
    public var timeline: [TimelineEntry]
    /// Why a part could not be read (AWS down, no Jenkins configured): shown instead of silently empty.
    public var problems: [String]
    /// How long reading AWS and the state store took, for the bench and the page footer.
    public var readSeconds: Double?

    public init(name: String, groups: [GroupStatus] = [], lock: String? = nil, operations: [OperationStatus] = [],
                approvals: [Approval] = [], timeline: [TimelineEntry] = [], problems: [String] = [], readSeconds: Double? = nil) {
        self.name = name
        self.groups = groups
        self.lock = lock
        self.operations = operations
        self.approvals = approvals
        self.timeline = timeline
        self.problems = problems
        self.readSeconds = readSeconds
    }
}

/// One ALB group (a listener's default action or a rule) and its two colours.
public struct GroupStatus: Sendable, Codable, Equatable {
    public var unit: String
    /// `listener …` or `rule …`, as `cutover status` prints it.
    public var route: String
    public var blue: ColorStatus
    public var green: ColorStatus
    /// `blue` or `green`: the colour taking most of the traffic.
    public var live: String
    public var split: Bool
    public var unhealthy: Bool

    public init(unit: String, route: String, blue: ColorStatus, green: ColorStatus, live: String, split: Bool, unhealthy: Bool) {
        self.unit = unit
        self.route = route
        self.blue = blue
        self.green = green
        self.live = live
        self.split = split
        self.unhealthy = unhealthy
    }

    public func color(_ name: String) -> ColorStatus { name == "green" ? green : blue }
}

public struct ColorStatus: Sendable, Codable, Equatable {
    public var targetGroup: String
    public var exists: Bool
    /// The colour's share of the route, 0–100, as the ALB reads back.
    public var percent: Int
    /// The `cutover:release` tag of its target group.
    public var release: String?
    public var healthy: Int
    public var total: Int
    /// Targets per ELB state (`healthy`, `unhealthy`, `initial`, `draining`, `unused`, `unavailable`).
    public var states: [String: Int]
    /// Each target that is not healthy, with AWS's reason: `i-0abc:8080 unhealthy (Target.FailedHealthChecks)`.
    public var unhealthyTargets: [String]

    public init(targetGroup: String, exists: Bool, percent: Int, release: String?, healthy: Int, total: Int,
                states: [String: Int] = [:], unhealthyTargets: [String] = []) {
        self.targetGroup = targetGroup
        self.exists = exists
        self.percent = percent
        self.release = release
        self.healthy = healthy
        self.total = total
        self.states = states
        self.unhealthyTargets = unhealthyTargets
    }
}

/// A sidecar operation (promote, rollback, …) and where it is, read from its console lines.
public struct OperationStatus: Sendable, Codable, Equatable {
    public var id: String
    public var kind: String
    public var state: String
    public var startedAt: Date
    public var progress: OperationProgress

    public init(id: String, kind: String, state: String, startedAt: Date, progress: OperationProgress) {
        self.id = id
        self.kind = kind
        self.state = state
        self.startedAt = startedAt
        self.progress = progress
    }
}

/// A Jenkins build paused at an `input` step (the service-deploy approval gate).
public struct Approval: Sendable, Codable, Equatable {
    public var job: String
    public var number: Int
    /// The build's page.
    public var url: String
    public var message: String
    /// The page where an approver proceeds or aborts (Jenkins' own, with its permission checks).
    public var inputURL: String
    public var since: Date?

    public init(job: String, number: Int, url: String, message: String, inputURL: String, since: Date?) {
        self.job = job
        self.number = number
        self.url = url
        self.message = message
        self.inputURL = inputURL
        self.since = since
    }
}

/// One thing that happened to a release, from its journal: a promote, a rollback, a provision…
public struct TimelineEntry: Sendable, Codable, Equatable {
    public var time: Date
    public var release: String
    /// The cutover command: `promote`, `rollback`, `provision`, `deploy`, `cleanup`.
    public var command: String
    /// How it ended: `done`, `failed`, `reverted`, `stopped`, … (`started` while it runs).
    public var outcome: String
    public var detail: String?
    /// Who ran it: the Jenkins build (URL and number) or the user.
    public var user: String?
    public var buildURL: String?
    public var buildNumber: String?
    public var seconds: Double?

    public init(time: Date, release: String, command: String, outcome: String, detail: String? = nil, user: String? = nil,
                buildURL: String? = nil, buildNumber: String? = nil, seconds: Double? = nil) {
        self.time = time
        self.release = release
        self.command = command
        self.outcome = outcome
        self.detail = detail
        self.user = user
        self.buildURL = buildURL
        self.buildNumber = buildNumber
        self.seconds = seconds
    }
}
