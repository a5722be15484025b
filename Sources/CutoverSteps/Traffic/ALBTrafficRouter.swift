import CutoverAWS
import CutoverCore

/// `TrafficRouter` on ELBv2: listeners' default actions and listener rules.
public struct ALBTrafficRouter: TrafficRouter {
    public let elbv2: ELBv2Client

    public init(elbv2: ELBv2Client) {
        self.elbv2 = elbv2
    }

    public func resolve(_ route: Route) async throws -> RoutePoint {
        guard let match = route.rule else { return RoutePoint(kind: .listener, arn: route.listenerARN) }
        if case .arn(let arn) = match { return RoutePoint(kind: .rule, arn: arn) }
        let rules = try await elbv2.describeRules(listenerARN: route.listenerARN)
        let found = rules.first { rule in
            switch match {
            case .priority(let priority): rule.priority == String(priority)
            case .pathPattern(let path): rule.conditions.contains { $0.field == "path-pattern" && $0.values.contains(path) }
            case .hostHeader(let host): rule.conditions.contains { $0.field == "host-header" && $0.values.contains(host) }
            case .arn: false
            }
        }
        guard let found else { throw RouteNotFound(route: route, rules: rules.filter { !$0.isDefault }.count) }
        return RoutePoint(kind: .rule, arn: found.arn)
    }

    public func actions(at point: RoutePoint) async throws -> [ListenerAction] {
        switch point.kind {
        case .listener: try await elbv2.describeListener(arn: point.arn).defaultActions
        case .rule: try await elbv2.describeRule(arn: point.arn).actions
        }
    }

    public func actions(at points: [RoutePoint]) async throws -> [RoutePoint: [ListenerAction]] {
        // Twenty ARNs per call, the calls at once: 30 listeners are two DescribeListeners, not thirty.
        func chunks(_ kind: RoutePoint.Kind) -> [[String]] {
            let arns = Array(Set(points.filter { $0.kind == kind }.map(\.arn))).sorted()
            return stride(from: 0, to: arns.count, by: 20).map { Array(arns[$0..<min($0 + 20, arns.count)]) }
        }
        return try await withThrowingTaskGroup(of: [RoutePoint: [ListenerAction]].self) { group in
            for chunk in chunks(.listener) {
                group.addTask {
                    let listeners = try await elbv2.describeListeners(arns: chunk)
                    return Dictionary(listeners.map { (RoutePoint(kind: .listener, arn: $0.arn), $0.defaultActions) }) { first, _ in first }
                }
            }
            for chunk in chunks(.rule) {
                group.addTask {
                    let rules = try await elbv2.describeRules(arns: chunk)
                    return Dictionary(rules.map { (RoutePoint(kind: .rule, arn: $0.arn), $0.actions) }) { first, _ in first }
                }
            }
            return try await group.reduce(into: [:]) { $0.merge($1) { first, _ in first } }
        }
    }

    public func replaceActions(at point: RoutePoint, with actions: [ListenerAction]) async throws {
        switch point.kind {
        case .listener: try await elbv2.modifyListener(arn: point.arn, defaultActions: actions)
        case .rule: try await elbv2.modifyRule(arn: point.arn, actions: actions)
        }
    }

    public func targetGroups(named names: [String]) async throws -> [String: TargetGroupInfo] {
        // Twenty names per call (DescribeTags' limit too), the calls at once.
        var unique: [String] = []
        for name in names where !unique.contains(name) { unique.append(name) }
        let chunks = stride(from: 0, to: unique.count, by: 20).map { Array(unique[$0..<min($0 + 20, unique.count)]) }
        let groups = try await withThrowingTaskGroup(of: [TargetGroup].self) { group in
            for chunk in chunks { group.addTask { try await elbv2.describeTargetGroups(names: chunk) } }
            return try await group.reduce(into: [TargetGroup]()) { $0 += $1 }
        }
        let tags = try await elbv2.describeTags(arns: groups.map(\.arn))
        var result: [String: TargetGroupInfo] = [:]
        for group in groups {
            result[group.name] = TargetGroupInfo(arn: group.arn, name: group.name, tags: tags[group.arn] ?? [:])
        }
        return result
    }

    public func health(ofTargetGroup arn: String) async throws -> [TargetHealth] {
        try await elbv2.describeTargetHealth(targetGroupARN: arn)
    }
}

/// The unit's rule is not on its listener.
public struct RouteNotFound: CutoverError {
    public var route: Route
    public var rules: Int
    public var code: String { "traffic.route-not-found" }
    public var exitStatus: ExitStatus { .failure }
    public var description: String {
        "no rule on listener \(route.listenerARN) matches \(route.rule.map { "\($0)" } ?? "") (it has \(rules) rules besides the default)\nhint: create the rule, or fix `rule:` in the config"
    }
}
