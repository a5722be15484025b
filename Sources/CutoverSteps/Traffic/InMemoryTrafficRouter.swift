import CutoverAWS
import CutoverCore

/// A `TrafficRouter` whose state is plain fields, for testing step logic (promote, rollback, status)
/// without a load balancer. Faults are scripted per route.
public actor InMemoryTrafficRouter: TrafficRouter {
    public var actions: [RoutePoint: [ListenerAction]] = [:]
    /// Listener ARN → rules on it (priority, path patterns, rule point).
    public var rules: [String: [(priority: Int, paths: [String], point: RoutePoint)]] = [:]
    public var groups: [String: TargetGroupInfo] = [:]
    public var healthByARN: [String: [TargetHealth]] = [:]
    /// Routes whose next `replaceActions` calls fail (count; Int.max = always).
    public var failingReplaces: [RoutePoint: Int] = [:]
    /// Routes whose writes start failing after this many more succeed (a revert that fails).
    public var replacesBeforeFailing: [RoutePoint: Int] = [:]
    /// Target groups whose health reads start failing after this many more succeed.
    public var healthReadsBeforeFailing: [String: Int] = [:]
    /// Target groups whose health reads answer these in turn (the last one repeats).
    public var healthScript: [String: [[TargetHealth]]] = [:]
    /// Every replace, in order: the write log tests inspect.
    public private(set) var replaces: [(RoutePoint, [ListenerAction])] = []

    public init() {}

    public func setActions(_ value: [ListenerAction], at point: RoutePoint) { actions[point] = value }
    public func addRule(listener: String, priority: Int, paths: [String], point: RoutePoint) {
        rules[listener, default: []].append((priority, paths, point))
    }
    public func addGroup(_ group: TargetGroupInfo) { groups[group.name] = group }
    public func setHealth(_ value: [TargetHealth], of arn: String) { healthByARN[arn] = value }
    public func failReplaces(at point: RoutePoint, times: Int) { failingReplaces[point] = times }
    /// Lets `successes` more writes to `point` through, then fails every later one.
    public func failReplaces(at point: RoutePoint, afterSucceeding successes: Int) { replacesBeforeFailing[point] = successes }
    public func failHealth(of arn: String, afterSucceeding successes: Int) { healthReadsBeforeFailing[arn] = successes }
    public func scriptHealth(of arn: String, _ answers: [[TargetHealth]]) { healthScript[arn] = answers }

    public func resolve(_ route: Route) async throws -> RoutePoint {
        switch route.rule {
        case nil: return RoutePoint(kind: .listener, arn: route.listenerARN)
        case .arn(let arn): return RoutePoint(kind: .rule, arn: arn)
        case .priority(let priority):
            if let rule = rules[route.listenerARN]?.first(where: { $0.priority == priority }) { return rule.point }
        case .pathPattern(let path):
            if let rule = rules[route.listenerARN]?.first(where: { $0.paths.contains(path) }) { return rule.point }
        case .hostHeader:
            break
        }
        throw RouteNotFound(route: route, rules: rules[route.listenerARN]?.count ?? 0)
    }

    public func actions(at point: RoutePoint) async throws -> [ListenerAction] {
        guard let value = actions[point] else { throw FakeError("no \(point.description)") }
        return value
    }

    public func replaceActions(at point: RoutePoint, with value: [ListenerAction]) async throws {
        if let remaining = failingReplaces[point], remaining > 0 {
            failingReplaces[point] = remaining == Int.max ? remaining : remaining - 1
            throw FakeError("scripted failure modifying \(point.description)")
        }
        if let left = replacesBeforeFailing[point] {
            guard left > 0 else { throw FakeError("scripted failure modifying \(point.description)") }
            replacesBeforeFailing[point] = left - 1
        }
        guard actions[point] != nil else { throw FakeError("no \(point.description)") }
        actions[point] = value
        replaces.append((point, value))
    }

    public func targetGroups(named names: [String]) async throws -> [String: TargetGroupInfo] {
        groups.filter { names.contains($0.key) }
    }

    public func health(ofTargetGroup arn: String) async throws -> [TargetHealth] {
        if let left = healthReadsBeforeFailing[arn] {
            guard left > 0 else { throw FakeError("scripted failure describing the health of \(arn)") }
            healthReadsBeforeFailing[arn] = left - 1
        }
        if var script = healthScript[arn], let first = script.first {
            if script.count > 1 { script.removeFirst() }
            healthScript[arn] = script
            return first
        }
        return healthByARN[arn] ?? []
    }

    public struct FakeError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
