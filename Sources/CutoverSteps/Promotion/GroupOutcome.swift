/// What happened to one unit's route in a promote, rollback or cleanup: the per-group report.
public struct GroupOutcome: Sendable, Codable, Equatable {
    public var unit: String
    public var route: String
    /// `promoted`, `already-promoted`, `reverted`, `failed`, `rolled-back`, `unchanged`, `refused`, `planned`.
    public var state: String
    /// Each colour's percentage when the command finished with this group.
    public var blue: Int?
    public var green: Int?
    public var detail: String?

    public init(unit: String, route: String, state: String, blue: Int? = nil, green: Int? = nil, detail: String? = nil) {
        self.unit = unit
        self.route = route
        self.state = state
        self.blue = blue
        self.green = green
        self.detail = detail
    }

    /// `frontend  listener arn...  promoted  blue 0% / green 100%  (detail)`
    public var line: String {
        var text = "\(unit): \(state)"
        if let blue, let green { text += " (blue \(blue)% / green \(green)%)" }
        if let detail { text += ": \(detail)" }
        return text
    }
}

/// A traffic command's result: every group's outcome, and whether the whole command succeeded.
public struct TrafficReport: Sendable, Codable, Equatable {
    public var command: String
    public var release: String
    public var environment: String
    public var succeeded: Bool
    public var groups: [GroupOutcome]
    /// Why the command failed, in the JSON document (`--json` prints exactly one, errors included).
    public var error: Failure?

    public struct Failure: Sendable, Codable, Equatable {
        public var code: String
        public var message: String
        public var exitStatus: Int32

        public init(code: String, message: String, exitStatus: Int32) {
            self.code = code
            self.message = message
            self.exitStatus = exitStatus
        }
    }

    public init(command: String, release: String, environment: String, succeeded: Bool, groups: [GroupOutcome]) {
        self.command = command
        self.release = release
        self.environment = environment
        self.succeeded = succeeded
        self.groups = groups
    }
}

/// A traffic command that did not complete: carries the per-group report, which the CLI prints.
public struct TrafficCommandFailed: Error, Sendable {
    public var report: TrafficReport
    public var code: String
    public var message: String
    public var exitStatus: Int32

    public init(report: TrafficReport, code: String, message: String, exitStatus: Int32) {
        self.report = report
        self.code = code
        self.message = message
        self.exitStatus = exitStatus
    }
}
