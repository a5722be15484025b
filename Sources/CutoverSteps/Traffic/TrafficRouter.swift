import CutoverAWS
import CutoverCore

/// The one seam between release steps and the load balancer (as argo-rollouts' traffic routing
/// interface): read a route's actions, replace them, and look at the target groups behind them.
/// `ALBTrafficRouter` speaks ELBv2; `InMemoryTrafficRouter` holds the state in fields for step tests.
public protocol TrafficRouter: Sendable {
    /// Finds the listener or rule a unit's route names. Throws when the rule does not exist.
    func resolve(_ route: Route) async throws -> RoutePoint
    /// The route's current actions, exactly as the load balancer holds them.
    func actions(at point: RoutePoint) async throws -> [ListenerAction]
    /// Several routes' actions at once; a route that does not exist is left out. The default reads
    /// them one by one, all at once; the ALB router batches them into as few calls as ELBv2 allows.
    func actions(at points: [RoutePoint]) async throws -> [RoutePoint: [ListenerAction]]
    /// Replaces the route's whole action list (ModifyListener / ModifyRule semantics).
    func replaceActions(at point: RoutePoint, with actions: [ListenerAction]) async throws
    /// The target groups that exist among `names`, by name (absent names are left out).
    func targetGroups(named names: [String]) async throws -> [String: TargetGroupInfo]
    /// Every registered target of a group and its health.
    func health(ofTargetGroup arn: String) async throws -> [TargetHealth]
}

extension TrafficRouter {
    public func actions(at points: [RoutePoint]) async throws -> [RoutePoint: [ListenerAction]] {
        try await withThrowingTaskGroup(of: (RoutePoint, [ListenerAction]).self) { group in
            for point in Set(points) { group.addTask { (point, try await actions(at: point)) } }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }
}

/// A resolved route: the default actions of a listener, or a rule's actions.
public struct RoutePoint: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case listener, rule }
    public var kind: Kind
    public var arn: String

    public init(kind: Kind, arn: String) {
        self.kind = kind
        self.arn = arn
    }

    public var description: String { "\(kind.rawValue) \(arn)" }
}

/// A target group's ARN and the tags cutover reads (`cutover:release`, `cutover:color`, `cutover:service`).
public struct TargetGroupInfo: Sendable, Equatable {
    public var arn: String
    public var name: String
    public var tags: [String: String]

    public init(arn: String, name: String, tags: [String: String]) {
        self.arn = arn
        self.name = name
        self.tags = tags
    }

    public var release: String? { tags[Tag.release] }
}

/// The tags cutover puts on what it creates and deploys.
public enum Tag {
    public static let release = "cutover:release"
    public static let service = "cutover:service"
    public static let color = "cutover:color"
}
