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
        let cluster = deployment.cluster
        let oldService = deployment.serviceName(old)
        if let service = try await ecs.describeServices(cluster: cluster, names: [oldService]).first,
           service["status"]?.string == "ACTIVE" {
            done.append("deleted ECS service \(oldService)")
            if !dryRun {
                _ = try await ecs.updateService(cluster: cluster, service: oldService, desiredCount: 0)
                try await ecs.deleteService(cluster: cluster, service: oldService, force: true)
            }
        }
        if let group = traffic.groups[old] {
            if let index = traffic.forwardIndex, traffic.actions[index].forwardGroups.contains(where: { $0.arn == group.arn }) {
                var actions = traffic.actions
                actions[index] = actions[index].withForwardGroups(actions[index].forwardGroups.filter { $0.arn != group.arn })
                done.append("removed \(group.name) from \(traffic.point.description)")
                if !dryRun {
                    traffic = try await traffic.writing(actions, through: router)
                }
            }
            done.append("deleted target group \(group.name)")
            if !dryRun { try await elbv2.deleteTargetGroup(arn: group.arn) }
        }
        return GroupOutcome(unit: unit.id, route: traffic.point.description, state: dryRun ? "planned" : (done.isEmpty ? "unchanged" : "cleaned"),
                            blue: traffic.percents?[.blue], green: traffic.percents?[.green],
                            detail: done.isEmpty ? "nothing left of \(old.rawValue)" : done.joined(separator: "; "))
    }
}
