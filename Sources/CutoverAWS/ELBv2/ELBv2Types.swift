/// A listener as DescribeListeners returns it.
public struct Listener: Sendable, Equatable {
    public var arn: String
    public var loadBalancerARN: String
    public var port: Int?
    public var defaultActions: [ListenerAction]
}

/// A listener rule: its match conditions and actions.
public struct ListenerRule: Sendable, Equatable {
    public var arn: String
    /// `default` for the listener's default rule, else a number as text.
    public var priority: String
    public var isDefault: Bool
    public var conditions: [Condition]
    public var actions: [ListenerAction]

    public struct Condition: Sendable, Equatable {
        /// `path-pattern`, `host-header`, ...
        public var field: String
        public var values: [String]
    }
}

/// A target group's identity and the settings a green copy inherits.
public struct TargetGroup: Sendable, Equatable {
    public var arn: String
    public var name: String
    public var protocolName: String?
    public var port: Int?
    public var vpcID: String?
    public var targetType: String?
    public var loadBalancerARNs: [String]
    /// The health-check settings as Query fields (`HealthCheckPath` → `/health`, `Matcher.HttpCode` → `200`),
    /// ready to be sent to CreateTargetGroup.
    public var healthCheck: [ListenerAction.Field]
}

/// A target to register: an instance id or an IP, with an optional port.
public struct Target: Sendable, Hashable, Codable {
    public var id: String
    public var port: Int?
    public init(id: String, port: Int? = nil) {
        self.id = id
        self.port = port
    }
}

/// One target's health as DescribeTargetHealth reports it.
public struct TargetHealth: Sendable, Equatable, Codable {
    public var target: Target
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
    public var state: String
    /// `Target.FailedHealthChecks`, `Target.InvalidState`, ... (absent when healthy).
    public var reason: String?
    public var description: String?

    public init(target: Target, state: String, reason: String? = nil, description: String? = nil) {
        self.target = target
        self.state = state
        self.reason = reason
        self.description = description
    }

    public var isHealthy: Bool { state == "healthy" }

    /// The target, its state, and AWS's reason and description when it gives them, as every report
    /// quotes it: `i-0abc:8080 unhealthy (Target.FailedHealthChecks): Health checks failed`.
    public var summary: String {
        "\(target.id)\(target.port.map { ":\($0)" } ?? "") \(state)\(reason.map { " (\($0))" } ?? "")\(description.map { ": \($0)" } ?? "")"
    }
}
