import CutoverAWS
import CutoverCore

/// After a promotion, retires the colour a release replaced: its ECS service (scaled to 0, then
/// deleted) and its target group (taken out of the route's forward action, then deleted). Never the
/// colour taking traffic: it refuses unless the release's colour takes 100% and the other 0%.
public struct ECSCleanup: Sendable {
    public var unit: DeployUnit
    public var deployment: ECSDeployment
    public var release: String
    public var elbv2: ELBv2Client
    public var ecs: ECSClient

    public init(unit: DeployUnit, deployment: ECSDeployment, release: String, elbv2: ELBv2Client, ecs: ECSClient) {
        self.unit = unit
        self.deployment = deployment
        self.release = release
        self.elbv2 = elbv2
        self.ecs = ecs
    }

    /// Called before the route write: the environment lock must still be held.
    public var beforeWrite: @Sendable () throws -> Void = {}

    public func run(dryRun: Bool) async throws -> GroupOutcome {
        let router = ALBTrafficRouter(elbv2: elbv2)
        var traffic = try await UnitTraffic.read(unit, router: router)
        guard let color = traffic.color(of: release) else {
            throw StepError(code: "cleanup.unknown-release", message: "\(unit.id): neither target group is tagged \(Tag.release)=\(release)")
        }
        let old = color.other
        guard let percents = traffic.percents, percents[color] == 100, percents[old] == 0 else {
            throw StepError(code: "cleanup.not-promoted", message: "\(unit.id): release \(release) (\(color.rawValue)) does not take all traffic (\(TrafficContext.describe(traffic.percents))); the old colour is still needed\nhint: promote first, or roll back and leave it", exitStatus: .checkFailed)
        }
        var done: [String] = []
        do {
            try await retire(old, traffic: &traffic, dryRun: dryRun, done: &done)
        } catch {
            // Say what was already deleted: a rerun picks up from there, but a person reading the console must know.
            throw StepError(code: "cleanup.partial",
                            message: "\(unit.id): cleanup stopped: \(error)" + (done.isEmpty ? "" : "\nalready done: \(done.joined(separator: "; "))\nhint: rerun cleanup to finish"),
                            exitStatus: (error as? StepError)?.exitStatus ?? .failure)
        }
        return GroupOutcome(unit: unit.id, route: traffic.point.description, state: dryRun ? "planned" : (done.isEmpty ? "unchanged" : "cleaned"),
                            blue: traffic.percents?[.blue], green: traffic.percents?[.green],
                            detail: done.isEmpty ? "nothing left of \(old.rawValue)" : done.joined(separator: "; "))
    }

    /// Deletes the old colour's service, takes its group out of the route (proved by read-back), deletes the group.
    private func retire(_ old: Color, traffic: inout UnitTraffic, dryRun: Bool, done: inout [String]) async throws {
        let router = ALBTrafficRouter(elbv2: elbv2)
        let cluster = deployment.cluster
        let oldService = deployment.serviceName(old)
        if let service = try await ecs.describeServices(cluster: cluster, names: [oldService]).first,
           service["status"]?.string == "ACTIVE" {
            if !dryRun {
                _ = try await ecs.updateService(cluster: cluster, service: oldService, desiredCount: 0)
                try await ecs.deleteService(cluster: cluster, service: oldService, force: true)
            }
            done.append("deleted ECS service \(oldService)")
        }
        guard let group = traffic.groups[old] else { return }
        if let index = traffic.forwardIndex, traffic.actions[index].forwardGroups.contains(where: { $0.arn == group.arn }) {
            var actions = traffic.actions
            actions[index] = actions[index].withForwardGroups(actions[index].forwardGroups.filter { $0.arn != group.arn })
            if !dryRun {
                let change = TrafficChange(router: router, routes: [(traffic, nil)], beforeWrite: beforeWrite)
                traffic = try await change.moveOrPutBack(unit.id, to: actions, code: "cleanup.route",
                                                          doing: "removing \(group.name) from \(traffic.point.description)")
            }
            done.append("removed \(group.name) from \(traffic.point.description)")
        }
        if !dryRun { try await elbv2.deleteTargetGroup(arn: group.arn) }
        done.append("deleted target group \(group.name)")
    }
}
