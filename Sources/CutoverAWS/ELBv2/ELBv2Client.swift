/// The ELBv2 calls cutover makes (Query protocol, API version 2015-12-01).
public struct ELBv2Client: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public func describeListener(arn: String) async throws -> Listener {
        var parameters = QueryParameters()
        parameters.addList("ListenerArns", [arn])
        let result = try await client.query(.elbv2, "DescribeListeners", parameters)
        guard let member = result.path("Listeners", "member") else {
            throw AWSError(service: "ELBv2", action: "DescribeListeners", reason: .service(status: 400, code: "ListenerNotFound", message: "listener \(arn) not found", requestID: nil))
        }
        return Self.listener(member)
    }

    /// Several listeners in one call (a promotion reads all of its routes at once).
    public func describeListeners(arns: [String]) async throws -> [Listener] {
        guard !arns.isEmpty else { return [] }
        var parameters = QueryParameters()
        parameters.addList("ListenerArns", arns)
        let result = try await client.query(.elbv2, "DescribeListeners", parameters)
        return (result["Listeners"]?.all("member") ?? []).map(Self.listener)
    }

    /// Several rules, on any listeners, in one call.
    public func describeRules(arns: [String]) async throws -> [ListenerRule] {
        guard !arns.isEmpty else { return [] }
        var parameters = QueryParameters()
        parameters.addList("RuleArns", arns)
        return try await rules(parameters)
    }

    public func describeRules(listenerARN: String) async throws -> [ListenerRule] {
        var parameters = QueryParameters()
        parameters.add("ListenerArn", listenerARN)
        return try await rules(parameters)
    }

    public func describeRule(arn: String) async throws -> ListenerRule {
        var parameters = QueryParameters()
        parameters.addList("RuleArns", [arn])
        guard let rule = try await rules(parameters).first else {
            throw AWSError(service: "ELBv2", action: "DescribeRules", reason: .service(status: 400, code: "RuleNotFound", message: "rule \(arn) not found", requestID: nil))
        }
        return rule
    }

    private func rules(_ parameters: QueryParameters) async throws -> [ListenerRule] {
        var rules: [ListenerRule] = []
        var marker: String?
        repeat {
            var page = parameters
            if let marker { page.add("Marker", marker) }
            let result = try await client.query(.elbv2, "DescribeRules", page)
            rules += (result["Rules"]?.all("member") ?? []).map(Self.rule)
            marker = result.string("NextMarker").flatMap { $0.isEmpty ? nil : $0 }
        } while marker != nil
        return rules
    }

    @discardableResult
    public func modifyListener(arn: String, defaultActions: [ListenerAction]) async throws -> Listener {
        var parameters = QueryParameters()
        parameters.add("ListenerArn", arn)
        for (offset, action) in defaultActions.enumerated() {
            parameters.append(action.parameters(listName: "DefaultActions", index: offset + 1))
        }
        let result = try await client.query(.elbv2, "ModifyListener", parameters)
        guard let member = result.path("Listeners", "member") else {
            throw AWSError(service: "ELBv2", action: "ModifyListener", reason: .malformed("no listener in the answer"))
        }
        return Self.listener(member)
    }

    public func modifyRule(arn: String, actions: [ListenerAction]) async throws {
        var parameters = QueryParameters()
        parameters.add("RuleArn", arn)
        for (offset, action) in actions.enumerated() {
            parameters.append(action.parameters(listName: "Actions", index: offset + 1))
        }
        _ = try await client.query(.elbv2, "ModifyRule", parameters)
    }

    /// The groups with these names; names that do not exist are simply absent from the answer.
    /// One call for all of them; DescribeTargetGroups fails the whole call when one name is unknown, and
    /// only then is each name asked on its own.
    public func describeTargetGroups(names: [String]) async throws -> [TargetGroup] {
        guard !names.isEmpty else { return [] }
        var parameters = QueryParameters()
        parameters.addList("Names", names)
        do {
            let result = try await client.query(.elbv2, "DescribeTargetGroups", parameters)
            let found = (result["TargetGroups"]?.all("member") ?? []).map(Self.targetGroup)
            return names.compactMap { name in found.first { $0.name == name } }
        } catch let error as AWSError where error.awsCode == "TargetGroupNotFound" && names.count > 1 {
            var found: [TargetGroup] = []
            try await withThrowingTaskGroup(of: [TargetGroup].self) { group in
                for name in names {
                    group.addTask {
                        do { return try await describeTargetGroups(names: [name]) } catch let error as AWSError where error.awsCode == "TargetGroupNotFound" { return [] }
                    }
                }
                for try await item in group { found += item }
            }
            return names.compactMap { name in found.first { $0.name == name } }
        } catch let error as AWSError where error.awsCode == "TargetGroupNotFound" {
            return []
        }
    }

    public func describeTargetGroups(arns: [String]) async throws -> [TargetGroup] {
        guard !arns.isEmpty else { return [] }
        var parameters = QueryParameters()
        parameters.addList("TargetGroupArns", arns)
        let result = try await client.query(.elbv2, "DescribeTargetGroups", parameters)
        return (result["TargetGroups"]?.all("member") ?? []).map(Self.targetGroup)
    }

    /// Creates a target group like `template` (protocol, port, VPC, target type, health check) named
    /// `name`. ELBv2 returns the existing group when one with the same name and settings exists.
    public func createTargetGroup(name: String, like template: TargetGroup, tags: [(String, String)]) async throws -> TargetGroup {
        var parameters = QueryParameters()
        parameters.add("Name", name)
        if let value = template.protocolName { parameters.add("Protocol", value) }
        if let value = template.port { parameters.add("Port", String(value)) }
        if let value = template.vpcID { parameters.add("VpcId", value) }
        if let value = template.targetType { parameters.add("TargetType", value) }
        for field in template.healthCheck { parameters.add(field.key, field.value) }
        for (offset, tag) in tags.enumerated() {
            parameters.add("Tags.member.\(offset + 1).Key", tag.0)
            parameters.add("Tags.member.\(offset + 1).Value", tag.1)
        }
        let result = try await client.query(.elbv2, "CreateTargetGroup", parameters)
        guard let member = result.path("TargetGroups", "member") else {
            throw AWSError(service: "ELBv2", action: "CreateTargetGroup", reason: .malformed("no target group in the answer"))
        }
        return Self.targetGroup(member)
    }

    public func deleteTargetGroup(arn: String) async throws {
        var parameters = QueryParameters()
        parameters.add("TargetGroupArn", arn)
        _ = try await client.query(.elbv2, "DeleteTargetGroup", parameters)
    }

    public func describeTargetHealth(targetGroupARN: String) async throws -> [TargetHealth] {
        var parameters = QueryParameters()
        parameters.add("TargetGroupArn", targetGroupARN)
        let result = try await client.query(.elbv2, "DescribeTargetHealth", parameters)
        return (result["TargetHealthDescriptions"]?.all("member") ?? []).map { member in
            TargetHealth(
                target: Target(id: member.path("Target", "Id")?.text ?? "", port: member.path("Target", "Port").flatMap { Int($0.text) }),
                state: member.path("TargetHealth", "State")?.text ?? "unknown",
                reason: member.path("TargetHealth", "Reason")?.text,
                description: member.path("TargetHealth", "Description")?.text)
        }
    }

    public func registerTargets(targetGroupARN: String, targets: [Target]) async throws {
        try await targetsCall("RegisterTargets", targetGroupARN, targets)
    }

    public func deregisterTargets(targetGroupARN: String, targets: [Target]) async throws {
        try await targetsCall("DeregisterTargets", targetGroupARN, targets)
    }

    private func targetsCall(_ action: String, _ arn: String, _ targets: [Target]) async throws {
        guard !targets.isEmpty else { return }
        var parameters = QueryParameters()
        parameters.add("TargetGroupArn", arn)
        for (offset, target) in targets.enumerated() {
            parameters.add("Targets.member.\(offset + 1).Id", target.id)
            if let port = target.port { parameters.add("Targets.member.\(offset + 1).Port", String(port)) }
        }
        _ = try await client.query(.elbv2, action, parameters)
    }

    public func addTags(arns: [String], tags: [(String, String)]) async throws {
        var parameters = QueryParameters()
        parameters.addList("ResourceArns", arns)
        for (offset, tag) in tags.enumerated() {
            parameters.add("Tags.member.\(offset + 1).Key", tag.0)
            parameters.add("Tags.member.\(offset + 1).Value", tag.1)
        }
        _ = try await client.query(.elbv2, "AddTags", parameters)
    }

    /// Tags of up to 20 resources per call (ELBv2's limit), the calls at once, as resource ARN → key → value.
    public func describeTags(arns: [String]) async throws -> [String: [String: String]] {
        try await withThrowingTaskGroup(of: [String: [String: String]].self) { group in
            for start in stride(from: 0, to: arns.count, by: 20) {
                let chunk = Array(arns[start..<min(start + 20, arns.count)])
                group.addTask {
                    var parameters = QueryParameters()
                    parameters.addList("ResourceArns", chunk)
                    let result = try await client.query(.elbv2, "DescribeTags", parameters)
                    var tags: [String: [String: String]] = [:]
                    for description in result["TagDescriptions"]?.all("member") ?? [] {
                        guard let arn = description.string("ResourceArn") else { continue }
                        var pairs: [String: String] = [:]
                        for tag in description["Tags"]?.all("member") ?? [] {
                            if let key = tag.string("Key") { pairs[key] = tag.string("Value") ?? "" }
                        }
                        tags[arn] = pairs
                    }
                    return tags
                }
            }
            return try await group.reduce(into: [:]) { $0.merge($1) { _, new in new } }
        }
    }

    // MARK: reading answers

    static func listener(_ node: XMLNode) -> Listener {
        Listener(arn: node.string("ListenerArn") ?? "", loadBalancerARN: node.string("LoadBalancerArn") ?? "",
                 port: node.string("Port").flatMap { Int($0) },
                 defaultActions: actions(node["DefaultActions"]))
    }

    static func rule(_ node: XMLNode) -> ListenerRule {
        let conditions = (node["Conditions"]?.all("member") ?? []).map { condition in
            var values = (condition["Values"]?.all("member") ?? []).map(\.text)
            for config in ["PathPatternConfig", "HostHeaderConfig"] {
                values += (condition.path(config, "Values")?.all("member") ?? []).map(\.text)
            }
            var unique: [String] = []
            for value in values where !unique.contains(value) { unique.append(value) }
            return ListenerRule.Condition(field: condition.string("Field") ?? "", values: unique)
        }
        return ListenerRule(arn: node.string("RuleArn") ?? "", priority: node.string("Priority") ?? "",
                            isDefault: node.string("IsDefault") == "true", conditions: conditions,
                            actions: actions(node["Actions"]))
    }

    /// Actions sorted by their `Order` when AWS gave one (it lists them in order, but says so explicitly).
    static func actions(_ node: XMLNode?) -> [ListenerAction] {
        let actions = (node?.all("member") ?? []).map(ListenerAction.init(xml:))
        return actions.enumerated().sorted { lhs, rhs in
            let left = lhs.element.value("Order").flatMap { Int($0) } ?? Int.max
            let right = rhs.element.value("Order").flatMap { Int($0) } ?? Int.max
            return left == right ? lhs.offset < rhs.offset : left < right
        }.map(\.element)
    }

    static let healthCheckFields = [
        "HealthCheckProtocol", "HealthCheckPort", "HealthCheckEnabled", "HealthCheckPath",
        "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount",
    ]

    static func targetGroup(_ node: XMLNode) -> TargetGroup {
        var health: [ListenerAction.Field] = []
        for key in healthCheckFields {
            if let value = node.string(key), !value.isEmpty { health.append(.init(key, value)) }
        }
        if let code = node.path("Matcher", "HttpCode")?.text, !code.isEmpty { health.append(.init("Matcher.HttpCode", code)) }
        if let code = node.path("Matcher", "GrpcCode")?.text, !code.isEmpty { health.append(.init("Matcher.GrpcCode", code)) }
        return TargetGroup(
            arn: node.string("TargetGroupArn") ?? "", name: node.string("TargetGroupName") ?? "",
            protocolName: node.string("Protocol"), port: node.string("Port").flatMap { Int($0) },
            vpcID: node.string("VpcId"), targetType: node.string("TargetType"),
            loadBalancerARNs: (node["LoadBalancerArns"]?.all("member") ?? []).map(\.text),
            healthCheck: health)
    }
}
