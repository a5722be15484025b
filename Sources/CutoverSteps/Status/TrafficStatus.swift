import CutoverAWS
import CutoverCore

/// Every group's live state, read from AWS: weights, which release each colour runs, target health.
public struct TrafficStatus: Sendable, Codable, Equatable {
    public var environment: String
    public var groups: [Group]
    /// The environment's schema, when the config has a database.
    public var schema: SchemaStatus? = nil
    /// Who holds the environment's lock, if anyone.
    public var lock: String? = nil

    public struct Group: Sendable, Codable, Equatable {
        public var unit: String
        public var route: String
        public var live: Color
        public var blue: ColorState
        public var green: ColorState
        /// Both colours take traffic.
        public var split: Bool
        /// The live colour has too few healthy targets (or none at all).
        public var unhealthy: Bool
        /// What `--expect` found wrong, if anything.
        public var problems: [String]
    }

    public struct ColorState: Sendable, Codable, Equatable {
        public var targetGroup: String
        public var exists: Bool
        public var percent: Int
        public var release: String?
        public var healthy: Int
        public var total: Int
    }

    /// What the caller expects: the release's colour live everywhere (`promoted`), or nowhere (`rolledBack`).
    public enum Expectation: String, Sendable, CaseIterable {
        /// `--expect green`: the release's colour takes all traffic.
        case green
        /// `--expect blue`: the release's colour takes none.
        case blue
    }

    public var ok: Bool { groups.allSatisfy { !$0.split && !$0.unhealthy && $0.problems.isEmpty } }

    /// Reads every unit of `units` in parallel.
    public static func read(_ context: TrafficContext, expect: Expectation?) async throws -> TrafficStatus {
        let routes = try await UnitTraffic.readAll(context.units, router: context.router)
        let groups = try await context.forEachUnit { unit -> Group in
            let traffic = routes.first { $0.unit.id == unit.id }!
            let percents = traffic.percents
            var states: [Color: ColorState] = [:]
            @Sendable func health(_ color: Color) async throws -> [TargetHealth] {
                guard let info = traffic.groups[color] else { return [] }
                return try await context.router.health(ofTargetGroup: info.arn)
            }
            async let blueHealth = health(.blue)
            async let greenHealth = health(.green)
            let healthByColor: [Color: [TargetHealth]] = [.blue: try await blueHealth, .green: try await greenHealth]
            for color in Color.allCases {
                let info = traffic.groups[color]
                let health = healthByColor[color] ?? []
                let healthy = health.filter(\.isHealthy).count, total = health.count
                states[color] = ColorState(targetGroup: unit.targetGroupName(color), exists: info != nil,
                                           percent: percents?[color] ?? 0, release: info?.release, healthy: healthy, total: total)
            }
            let live = traffic.liveColor
            let liveState = states[live]!
            let unhealthy = liveState.total == 0 || liveState.healthy * 100 < context.promotion.minHealthyPercent * liveState.total
            var problems: [String] = []
            if percents == nil { problems.append("no forward action to either colour") }
            if let expect, !context.release.isEmpty {
                if let color = traffic.color(of: context.release) {
                    let percent = states[color]!.percent
                    if expect == .green && percent != 100 { problems.append("release \(context.release) (\(color.rawValue)) takes \(percent)%, expected 100%") }
                    if expect == .blue && percent != 0 { problems.append("release \(context.release) (\(color.rawValue)) takes \(percent)%, expected 0%") }
                } else if expect == .green {
                    problems.append("no target group is tagged \(Tag.release)=\(context.release)")
                }
            }
            return Group(unit: unit.id, route: traffic.point.description, live: live, blue: states[.blue]!, green: states[.green]!,
                         split: traffic.isSplit, unhealthy: unhealthy, problems: problems)
        }
        return TrafficStatus(environment: context.environment.name, groups: groups)
    }
}
