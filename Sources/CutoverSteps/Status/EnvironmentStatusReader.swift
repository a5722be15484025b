import CutoverAWS
import CutoverState
import CutoverStatusPage
import Foundation

/// Reads what the status page shows of one environment from AWS (every group's live weights, releases
/// and target health — never the journal's idea of them) and the state store (the lock holder, the
/// journals for the timeline). A part that cannot be read becomes a problem line on the page, not a
/// failed page: during an outage the rest is what people need.
public enum EnvironmentStatusReader {
    public static func read(_ context: TrafficContext, timelineLimit: Int = 30) async -> EnvironmentStatus {
        let started = ContinuousClock.now
        var status = EnvironmentStatus(name: context.environment.name)
        async let groups = readGroups(context)
        async let lock = StateLock.currentHolder(store: context.state, key: EnvironmentLock.key(system: context.system, environment: context.environment.name))
        async let timeline = readTimeline(context, limit: timelineLimit)
        do { status.groups = try await groups } catch { status.problems.append("traffic could not be read from AWS: \(error)") }
        do { status.lock = try await lock.map { "\($0)" } } catch { status.problems.append("the lock could not be read from \(context.state.location): \(error)") }
        do { status.timeline = try await timeline } catch { status.problems.append("the journals could not be read from \(context.state.location): \(error)") }
        let elapsed = ContinuousClock.now - started
        status.readSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return status
    }

    static func readGroups(_ context: TrafficContext) async throws -> [GroupStatus] {
        let routes = try await UnitTraffic.readAll(context.units, router: context.router)
        let minHealthy = context.promotion.minHealthyPercent
        return try await context.forEachUnit { unit -> GroupStatus in
            let traffic = routes.first { $0.unit.id == unit.id }!
            async let blue = colorStatus(traffic, .blue, router: context.router)
            async let green = colorStatus(traffic, .green, router: context.router)
            let (blueState, greenState) = try await (blue, green)
            let live = traffic.liveColor
            let liveState = live == .blue ? blueState : greenState
            return GroupStatus(unit: unit.id, route: traffic.point.description, blue: blueState, green: greenState, live: live.rawValue,
                               split: traffic.isSplit,
                               unhealthy: liveState.total == 0 || liveState.healthy * 100 < minHealthy * liveState.total)
        }
    }

    static func colorStatus(_ traffic: UnitTraffic, _ color: Color, router: any TrafficRouter) async throws -> ColorStatus {
        let percent = traffic.percents?[color] ?? 0
        guard let info = traffic.groups[color] else {
            return ColorStatus(targetGroup: traffic.unit.targetGroupName(color), exists: false, percent: percent, release: nil, healthy: 0, total: 0)
        }
        let targets = try await router.health(ofTargetGroup: info.arn)
        var states: [String: Int] = [:]
        for target in targets { states[target.state, default: 0] += 1 }
        return ColorStatus(targetGroup: info.name, exists: true, percent: percent, release: info.release,
                           healthy: targets.filter(\.isHealthy).count, total: targets.count, states: states,
                           unhealthyTargets: targets.filter { !$0.isHealthy }.map(\.summary))
    }

    /// The newest `limit` rows over every release's journal, newest first.
    static func readTimeline(_ context: TrafficContext, limit: Int) async throws -> [TimelineEntry] {
        let journal = context.journal
        let releases = try await journal.releases(system: context.system, environment: context.environment.name)
        let documents = await boundedMap(releases, limit: 8) { release -> Result<ReleaseJournal?, any Error> in
            do { return .success(try await journal.load(system: context.system, environment: context.environment.name, release: release)?.journal) } catch {
                return .failure(error)
            }
        }
        let rows = try documents.flatMap { try $0.get()?.timeline ?? [] }
        return Array(rows.sorted { $0.time > $1.time }.prefix(limit))
    }
}
