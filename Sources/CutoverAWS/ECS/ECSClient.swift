/// The ECS calls cutover makes (JSON 1.1). Services and task definitions are kept as whole JSON
/// documents: a green copy must carry every setting of blue, including ones newer than cutover.
public struct ECSClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// The named services of `cluster` that exist (ACTIVE or DRAINING); missing ones are left out.
    public func describeServices(cluster: String, names: [String]) async throws -> [JSONValue] {
        let answer = try await client.json(.ecs, "DescribeServices", [
            "cluster": .string(cluster), "services": .array(names.map(JSONValue.string)), "include": ["TAGS"],
        ])
        return (answer["services"]?.array ?? []).filter { $0["status"]?.string != "INACTIVE" }
    }

    /// The task definition (family, family:revision or ARN) with its tags under `tags`.
    public func describeTaskDefinition(_ reference: String) async throws -> (definition: JSONValue, tags: [JSONValue]) {
        let answer = try await client.json(.ecs, "DescribeTaskDefinition", ["taskDefinition": .string(reference), "include": ["TAGS"]])
        guard let definition = answer["taskDefinition"] else {
            throw AWSError(service: "ECS", action: "DescribeTaskDefinition", reason: .malformed("no taskDefinition in the answer"))
        }
        return (definition, answer["tags"]?.array ?? [])
    }

    /// Fields DescribeTaskDefinition reports that RegisterTaskDefinition does not accept.
    public static let readOnlyTaskDefinitionFields: Set<String> = [
        "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
        "registeredAt", "registeredBy", "deregisteredAt",
    ]

    /// Registers `definition` (a described one; read-only fields are dropped) and returns the new one.
    public func registerTaskDefinition(_ definition: JSONValue, tags: [(String, String)]) async throws -> JSONValue {
        guard var fields = definition.object else {
            throw AWSError(service: "ECS", action: "RegisterTaskDefinition", reason: .malformed("the task definition is not an object"))
        }
        for key in Self.readOnlyTaskDefinitionFields { fields[key] = nil }
        if !tags.isEmpty { fields["tags"] = Self.tags(tags) }
        let answer = try await client.json(.ecs, "RegisterTaskDefinition", .object(fields))
        guard let registered = answer["taskDefinition"] else {
            throw AWSError(service: "ECS", action: "RegisterTaskDefinition", reason: .malformed("no taskDefinition in the answer"))
        }
        return registered
    }

    /// Creates a service from `request` (a CreateService document); `clientToken` makes a retry of the
    /// same creation return the first one instead of failing.
    public func createService(_ request: JSONValue) async throws -> JSONValue {
        let answer = try await client.json(.ecs, "CreateService", request)
        guard let service = answer["service"] else {
            throw AWSError(service: "ECS", action: "CreateService", reason: .malformed("no service in the answer"))
        }
        return service
    }

    public func updateService(cluster: String, service: String, desiredCount: Int? = nil, taskDefinition: String? = nil) async throws -> JSONValue {
        var request: [String: JSONValue] = ["cluster": .string(cluster), "service": .string(service)]
        if let desiredCount { request["desiredCount"] = .int(desiredCount) }
        if let taskDefinition { request["taskDefinition"] = .string(taskDefinition) }
        let answer = try await client.json(.ecs, "UpdateService", .object(request))
        return answer["service"] ?? .null
    }

    public func deleteService(cluster: String, service: String, force: Bool) async throws {
        _ = try await client.json(.ecs, "DeleteService", ["cluster": .string(cluster), "service": .string(service), "force": .bool(force)])
    }

    static func tags(_ tags: [(String, String)]) -> JSONValue {
        .array(tags.map { ["key": .string($0.0), "value": .string($0.1)] })
    }
}
