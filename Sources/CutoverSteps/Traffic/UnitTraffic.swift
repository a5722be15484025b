import CutoverAWS
import CutoverCore

/// One of a unit's two target groups. Releases alternate between them: a release goes to the colour
/// taking no traffic, and promotion makes it the live one.
public enum Color: String, Sendable, Codable, CaseIterable {
    case blue
    case green

    public var other: Color { self == .blue ? .green : .blue }
}

extension DeployUnit {
    /// The target group name of `color`. ECS units may leave green unnamed: it is then derived from
    /// blue (`x-blue` → `x-green`, else `x-green` appended).
    public func targetGroupName(_ color: Color) -> String {
        switch color {
        case .blue: return blueTargetGroup
        case .green:
            if let greenTargetGroup { return greenTargetGroup }
            if blueTargetGroup.hasSuffix("-blue") { return String(blueTargetGroup.dropLast(5)) + "-green" }
            return blueTargetGroup + "-green"
        }
    }
}

extension ECSDeployment {
    /// The ECS service of a colour: blue is the configured service, green gets `-green`.
    public func serviceName(_ color: Color) -> String {
        color == .blue ? service : "\(service)-green"
    }
}

/// A unit's route as it is now: its actions and the forward split between its two colours.
public struct UnitTraffic: Sendable {
    public var unit: DeployUnit
    public var point: RoutePoint
    public var actions: [ListenerAction]
    /// The unit's target groups that exist, by colour.
    public var groups: [Color: TargetGroupInfo]

    public init(unit: DeployUnit, point: RoutePoint, actions: [ListenerAction], groups: [Color: TargetGroupInfo]) {
        self.unit = unit
        self.point = point
        self.actions = actions
        self.groups = groups
    }

    /// Reads a unit's route and target groups through `router`.
    public static func read(_ unit: DeployUnit, router: any TrafficRouter) async throws -> UnitTraffic {
        try await readAll([unit], router: router)[0]
    }

    /// Every unit's route at once: one target-group lookup and one batched read of all the routes'
    /// actions, instead of a read per unit.
    public static func readAll(_ units: [DeployUnit], router: any TrafficRouter) async throws -> [UnitTraffic] {
        async let known = targetGroups(of: units, router: router)
        let points = try await withThrowingTaskGroup(of: (Int, RoutePoint).self) { group in
            for (index, unit) in units.enumerated() { group.addTask { (index, try await router.resolve(unit.route)) } }
            return try await group.reduce(into: [Int: RoutePoint]()) { $0[$1.0] = $1.1 }
        }
        let actions = try await router.actions(at: Array(points.values))
        let byName = try await known
        return try units.enumerated().map { index, unit in
            let point = points[index]!
            guard let list = actions[point] else {
                throw StepError(code: "traffic.route-missing", message: "\(unit.id): \(point.description) does not exist\nhint: check the listener ARN in the config")
            }
            var groups: [Color: TargetGroupInfo] = [:]
            for color in Color.allCases { groups[color] = byName[unit.targetGroupName(color)] }
            return UnitTraffic(unit: unit, point: point, actions: list, groups: groups)
        }
    }

    /// Every unit's target groups in one lookup (the router batches the names).
    public static func targetGroups(of units: [DeployUnit], router: any TrafficRouter) async throws -> [String: TargetGroupInfo] {
        try await router.targetGroups(named: units.flatMap { unit in Color.allCases.map { unit.targetGroupName($0) } })
    }

    /// The index of the forward action that holds either colour, if any.
    public var forwardIndex: Int? {
        let arns = Set(groups.values.map(\.arn))
        return actions.firstIndex { action in action.forwardGroups.contains { arns.contains($0.arn) } }
    }

    /// Each colour's share of the forward action's traffic in percent (absent colours are 0), nil when
    /// no forward action holds either colour.
    public var percents: [Color: Int]? {
        guard let index = forwardIndex else { return nil }
        let split = actions[index].forwardGroups
        let total = split.reduce(0) { $0 + $1.weight }
        var result: [Color: Int] = [:]
        for color in Color.allCases {
            let weight = groups[color].flatMap { info in split.first { $0.arn == info.arn }?.weight } ?? 0
            result[color] = total == 0 ? 0 : Int((Double(weight) * 100 / Double(total)).rounded())
        }
        return result
    }

    /// The colour taking (most of the) traffic; blue when neither does.
    public var liveColor: Color {
        guard let percents else { return .blue }
        return (percents[.green] ?? 0) > (percents[.blue] ?? 0) ? .green : .blue
    }

    /// Whether both colours take traffic.
    public var isSplit: Bool {
        guard let percents else { return false }
        return (percents[.blue] ?? 0) > 0 && (percents[.green] ?? 0) > 0
    }

    /// The colour whose target group is tagged with `release`, if exactly one is.
    public func color(of release: String) -> Color? {
        let tagged = Color.allCases.filter { groups[$0]?.release == release }
        return tagged.count == 1 ? tagged[0] : nil
    }

    /// The colour a release is brought up on: the one taking no traffic — or, when a rerun finds the
    /// release already on the idle colour, that one (so rerunning converges instead of flipping).
    /// Refuses when the release already takes traffic, and while the route is split: then both colours
    /// serve requests, and replacing or restarting either would hit live traffic.
    public func colorForNewRelease(_ release: String) throws -> Color {
        let live = liveColor
        if color(of: release) == live, (percents?[live] ?? 0) > 0 {
            throw StepError(code: "release.live", message: "release \(release) of \(unit.id) already takes traffic (\(live.rawValue))\nhint: bring up a new release under a new name")
        }
        // Raw weights, not rounded percentages: at 999/1 the idle colour still takes requests.
        if let index = forwardIndex, let idle = groups[live.other],
           actions[index].forwardGroups.contains(where: { $0.arn == idle.arn && $0.weight > 0 }) {
            throw StepError(code: "release.split", message: "\(unit.id): both colours take traffic on \(point.description) (\(weights)); bringing up \(release) on either would restart or replace servers that serve requests\nhint: finish the promotion in progress (`cutover promote`) or roll it back first")
        }
        return live.other
    }

    /// Writes `actions` to the route and returns the traffic as read back afterwards. Every write cutover
    /// makes is followed by this read: the caller proves from it that the change applied.
    public func writing(_ actions: [ListenerAction], through router: any TrafficRouter) async throws -> UnitTraffic {
        try await router.replaceActions(at: point, with: actions)
        var after = self
        after.actions = try await router.actions(at: point)
        return after
    }

    /// The actions with `color` at `percent` and the other colour at the rest; other actions, other
    /// target groups in the split and stickiness untouched. `color`'s group must exist.
    public func actions(setting color: Color, to percent: Int) -> [ListenerAction]? {
        guard let index = forwardIndex, groups[color] != nil else { return nil }
        var split = actions[index].forwardGroups
        let entries: [(Color, Int)] = [(color, percent), (color.other, 100 - percent)]
        for (entryColor, weight) in entries {
            guard let info = groups[entryColor] else { continue }
            if let position = split.firstIndex(where: { $0.arn == info.arn }) {
                split[position].weight = weight
            } else if weight > 0 || entryColor == color {
                split.append(WeightedTargetGroup(arn: info.arn, weight: weight))
            }
        }
        var result = actions
        result[index] = actions[index].withForwardGroups(split)
        return result
    }
}
