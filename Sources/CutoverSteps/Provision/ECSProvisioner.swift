import CutoverAWS
import CutoverCore
import Foundation

/// Brings up a release's copy of an ECS unit on the colour taking no traffic: a task definition that is
/// the live one with the new image, a target group with the live group's health check, attached to the
/// route at weight 0 (the whole action list kept), then the service, created idempotently. Rerunning
/// converges; `dryRun` reads everything and prints the writes it would send.
public struct ECSProvisioner: Sendable {
    public var unit: DeployUnit
    public var deployment: ECSDeployment
    public var release: String
    public var image: String
    public var elbv2: ELBv2Client
    public var ecs: ECSClient
    public var router: any TrafficRouter
    public var timeoutSeconds: Int
    public var pollInterval: Duration
    public var now: @Sendable () -> Date
    public var progress: @Sendable (String) -> Void
    /// Called before the route write: the environment lock must still be held.
    public var beforeWrite: @Sendable () throws -> Void

    public init(unit: DeployUnit, deployment: ECSDeployment, release: String, image: String, elbv2: ELBv2Client, ecs: ECSClient,
                timeoutSeconds: Int, pollInterval: Duration = .seconds(3), now: @escaping @Sendable () -> Date = { Date() },
                beforeWrite: @escaping @Sendable () throws -> Void = {}, progress: @escaping @Sendable (String) -> Void) {
        self.beforeWrite = beforeWrite
        self.unit = unit
        self.deployment = deployment
        self.release = release
        self.image = image
        self.elbv2 = elbv2
        self.ecs = ecs
        self.router = ALBTrafficRouter(elbv2: elbv2)
        self.timeoutSeconds = timeoutSeconds
        self.pollInterval = pollInterval
        self.now = now
        self.progress = progress
    }

    public struct Result: Sendable, Codable {
        public var unit: String
        public var color: Color
        public var service: String
        public var targetGroup: String
        public var taskDefinition: String
        /// The writes made (or, with dry-run, that would be made), in order.
        public var writes: [String]
        public var healthy: Int
        public var dryRun: Bool
    }

    public func run(dryRun: Bool) async throws -> Result {
        let traffic = try await UnitTraffic.read(unit, router: router)
        // Green is attached to the forward action that holds a colour; without one there is nowhere to attach it.
        guard traffic.forwardIndex != nil else {
            throw StepError(code: "provision.no-route", message: "\(traffic.point.description) forwards to neither \(unit.targetGroupName(.blue)) nor \(unit.targetGroupName(.green))\nhint: point the route's forward action at \(unit.targetGroupName(.blue)) first")
        }
        let live = traffic.liveColor
        let color = try traffic.colorForNewRelease(release)
        var writes: [String] = []
        let tags = [(Tag.release, release), (Tag.service, unit.id), (Tag.color, color.rawValue)]

        // The live service and its task definition are the template.
        let names = [deployment.serviceName(live), deployment.serviceName(color)]
        let services = try await ecs.describeServices(cluster: deployment.cluster, names: names)
        guard let liveService = services.first(where: { $0["serviceName"]?.string == deployment.serviceName(live) }),
              let liveTaskARN = liveService["taskDefinition"]?.string else {
            throw StepError(code: "provision.no-live-service", message: "ECS service \(deployment.serviceName(live)) (the live \(live.rawValue) copy of \(unit.id)) does not exist in cluster \(deployment.cluster)\nhint: check `cluster:` and `service:` in the config")
        }
        let existing = services.first { $0["serviceName"]?.string == deployment.serviceName(color) }
        let (liveDefinition, _) = try await ecs.describeTaskDefinition(liveTaskARN)
        var definition = try withImage(liveDefinition)
        var taskARN = "<new revision of \(deployment.taskFamily)>"
        if let existingTask = existing?["taskDefinition"]?.string,
           let current = try? await ecs.describeTaskDefinition(existingTask).definition, try withImage(current) == current,
           Self.stripped(current) == Self.stripped(definition) {
            taskARN = existingTask  // rerun: the running definition already is the one wanted
        } else {
            writes.append("ECS RegisterTaskDefinition family=\(definition["family"]?.string ?? "") image=\(image) (a copy of \(liveTaskARN))")
            if !dryRun {
                definition = try await ecs.registerTaskDefinition(definition, tags: tags)
                taskARN = definition["taskDefinitionArn"]?.string ?? taskARN
            }
        }

        // The target group, shaped like the live one.
        let groupName = unit.targetGroupName(color)
        var groupARN = traffic.groups[color]?.arn ?? "<new target group \(groupName)>"
        if traffic.groups[color] == nil {
            guard let liveInfo = traffic.groups[live], let template = try await elbv2.describeTargetGroups(arns: [liveInfo.arn]).first else {
                throw StepError(code: "provision.no-live-group", message: "the live target group \(unit.targetGroupName(live)) does not exist")
            }
            writes.append("ELBv2 CreateTargetGroup \(groupName) like \(template.name) (health check \(template.healthCheck.first { $0.key == "HealthCheckPath" }?.value ?? "default"))")
            if !dryRun { groupARN = try await elbv2.createTargetGroup(name: groupName, like: template, tags: tags).arn }
        } else if traffic.groups[color]?.release != release {
            writes.append("ELBv2 AddTags \(groupName) \(Tag.release)=\(release)")
            if !dryRun { try await elbv2.addTags(arns: [groupARN], tags: tags) }
        }

        try await attachAtZero(traffic, color: color, group: TargetGroupInfo(arn: groupARN, name: groupName, tags: [:]),
                               dryRun: dryRun, writes: &writes)

        // The service: created once (clientToken), or pointed at the new definition on a rerun.
        let desired = deployment.desiredCount ?? liveService["desiredCount"]?.int ?? 1
        if let existing, existing["status"]?.string == "ACTIVE" {
            if existing["taskDefinition"]?.string != taskARN || existing["desiredCount"]?.int != desired {
                writes.append("ECS UpdateService \(deployment.serviceName(color)) taskDefinition=\(taskARN) desiredCount=\(desired)")
                if !dryRun { _ = try await ecs.updateService(cluster: deployment.cluster, service: deployment.serviceName(color), desiredCount: desired, taskDefinition: taskARN) }
            }
        } else {
            writes.append("ECS CreateService \(deployment.serviceName(color)) desiredCount=\(desired) targetGroup=\(groupName)")
            if !dryRun { _ = try await ecs.createService(createRequest(from: liveService, color: color, taskARN: taskARN, groupARN: groupARN, desired: desired, tags: tags)) }
        }
        if dryRun {
            return Result(unit: unit.id, color: color, service: deployment.serviceName(color), targetGroup: groupName, taskDefinition: taskARN,
                          writes: writes, healthy: 0, dryRun: true)
        }
        let healthy = try await waitUntilReady(groupARN: groupARN, service: deployment.serviceName(color), desired: desired)
        return Result(unit: unit.id, color: color, service: deployment.serviceName(color), targetGroup: groupName, taskDefinition: taskARN,
                      writes: writes, healthy: healthy, dryRun: false)
    }

    /// Adds the new colour's group to the route's forward action at weight 0, so ECS accepts the group
    /// and no request reaches it yet; the whole action list is kept and the write proved by read-back
    /// (and put back if the read-back disagrees).
    func attachAtZero(_ traffic: UnitTraffic, color: Color, group: TargetGroupInfo, dryRun: Bool, writes: inout [String]) async throws {
        var attached = traffic
        attached.groups[color] = group
        guard let index = traffic.forwardIndex, !traffic.actions[index].forwardGroups.contains(where: { $0.arn == group.arn }),
              let actions = attached.actions(setting: color, to: 0) else { return }
        writes.append("ELBv2 \(traffic.point.kind == .listener ? "ModifyListener" : "ModifyRule") \(traffic.point.arn): add \(group.name) at weight 0")
        if dryRun { return }
        let change = TrafficChange(router: router, routes: [(attached, traffic.actions)], beforeWrite: beforeWrite)
        let point = traffic.point
        _ = try await change.moveOrPutBack(unit.id, to: actions, code: "provision.attach", doing: "attaching \(group.name) at weight 0") { after in
            guard after.percents?[color] == 0, after.actions[index].forwardGroups.contains(where: { $0.arn == group.arn }) else {
                throw StepError(code: "provision.readback", message: "\(point.description) does not read back \(group.name) at weight 0")
            }
        }
    }

    /// The live definition with the configured container's image replaced; everything else kept.
    func withImage(_ definition: JSONValue) throws -> JSONValue {
        guard var containers = definition["containerDefinitions"]?.array,
              let index = containers.firstIndex(where: { $0["name"]?.string == deployment.containerName }) else {
            throw StepError(code: "provision.no-container", message: "task definition \(definition["taskDefinitionArn"]?.string ?? deployment.taskFamily) has no container named \(deployment.containerName)\nhint: set `container.name` in the config")
        }
        containers[index]["image"] = .string(image)
        var result = definition
        result["containerDefinitions"] = .array(containers)
        return result
    }

    static func stripped(_ definition: JSONValue) -> JSONValue {
        guard var fields = definition.object else { return definition }
        for key in ECSClient.readOnlyTaskDefinitionFields { fields[key] = nil }
        fields["tags"] = nil
        return .object(fields)
    }

    /// CreateService for the new colour: the live service's settings with this release's definition,
    /// target group and name. The client token is derived from release and service, so a retried or
    /// rerun create returns the first service instead of a second one.
    func createRequest(from live: JSONValue, color: Color, taskARN: String, groupARN: String, desired: Int, tags: [(String, String)]) -> JSONValue {
        var request: [String: JSONValue] = [
            "cluster": .string(deployment.cluster),
            "serviceName": .string(deployment.serviceName(color)),
            "taskDefinition": .string(taskARN),
            "desiredCount": .int(desired),
            "loadBalancers": [["targetGroupArn": .string(groupARN), "containerName": .string(deployment.containerName),
                               "containerPort": .int(deployment.containerPort)]],
            "clientToken": .string(Self.clientToken(release: release, unit: unit.id)),
            "tags": .array(tags.map { ["key": .string($0.0), "value": .string($0.1)] }),
        ]
        for key in ["launchType", "capacityProviderStrategy", "platformVersion", "networkConfiguration", "placementConstraints",
                    "placementStrategy", "deploymentConfiguration", "healthCheckGracePeriodSeconds", "schedulingStrategy",
                    "enableECSManagedTags", "propagateTags", "enableExecuteCommand", "role"] {
            if let value = live[key], value != .null, value != .array([]) { request[key] = value }
        }
        if request["role"] != nil, live["roleArn"] == nil { request["role"] = nil }
        return .object(request)
    }

    static func clientToken(release: String, unit: String) -> String {
        // ECS accepts up to 36 ASCII characters; a digest keeps any release name within that.
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in "\(unit)\u{0}\(release)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100000001b3
        }
        return "cutover-" + String(hash, radix: 16)
    }

    /// Waits for the PRIMARY deployment to be COMPLETED with every task running and the group to have
    /// healthy targets (0 of 0 is not ready). On timeout, quotes the service's events and target reasons.
    func waitUntilReady(groupARN: String, service: String, desired: Int) async throws -> Int {
        let deadline = now().addingTimeInterval(Double(timeoutSeconds))
        var lastState = ""
        var lastReport = Date.distantPast
        while true {
            let described = try await ecs.describeServices(cluster: deployment.cluster, names: [service]).first
            let primary = described?["deployments"]?.array?.first { $0["status"]?.string == "PRIMARY" }
            let rollout = primary?["rolloutState"]?.string ?? "UNKNOWN"
            let running = primary?["runningCount"]?.int ?? described?["runningCount"]?.int ?? 0
            let health = try await elbv2.describeTargetHealth(targetGroupARN: groupARN)
            let healthy = health.filter(\.isHealthy).count
            let state = "rollout \(rollout), \(running) of \(desired) tasks running, \(healthy) of \(health.count) targets healthy"
            // On every change, and at least every 10 s: a console that goes quiet looks hung.
            if state != lastState || now().timeIntervalSince(lastReport) >= 10 {
                let left = Int(deadline.timeIntervalSince(now()).rounded(.up))
                progress("\(unit.id): \(state) (waiting up to \(max(left, 0))s more)")
                lastState = state
                lastReport = now()
            }
            if rollout == "COMPLETED", running >= desired, desired > 0, healthy >= desired {
                return healthy
            }
            if rollout == "FAILED" || now() >= deadline {
                let events = (described?["events"]?.array ?? []).prefix(5).compactMap { $0["message"]?.string }
                let reasons = health.filter { !$0.isHealthy }.map(\.summary)
                var message = "\(service) was not ready \(rollout == "FAILED" ? "(its deployment FAILED)" : "after \(timeoutSeconds)s"): \(state)"
                if !events.isEmpty { message += "\nservice events:\n  " + events.joined(separator: "\n  ") }
                if !reasons.isEmpty { message += "\ntarget health:\n  " + reasons.joined(separator: "\n  ") }
                throw StepError(code: "provision.not-ready", message: message)
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}
