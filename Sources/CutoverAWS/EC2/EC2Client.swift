/// An EC2 instance as far as deploying onto it goes.
public struct Instance: Sendable, Equatable, Codable {
    public var id: String
    public var state: String
    public var privateIP: String?
    public var publicIP: String?
    public var tags: [String: String]
}

/// The EC2 call cutover makes: finding a fleet's instances by tags.
public struct EC2Client: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// Instances matching every filter (`tag:cutover:service` → [`frontend`], `instance-state-name` → [`running`]).
    public func describeInstances(filters: [(name: String, values: [String])]) async throws -> [Instance] {
        var instances: [Instance] = []
        var token: String?
        repeat {
            var parameters = QueryParameters()
            for (offset, filter) in filters.enumerated() {
                parameters.add("Filter.\(offset + 1).Name", filter.name)
                parameters.addList("Filter.\(offset + 1).Value", filter.values, item: nil)
            }
            if let token { parameters.add("NextToken", token) }
            let result = try await client.query(.ec2, "DescribeInstances", parameters)
            for reservation in result["reservationSet"]?.all("item") ?? [] {
                for item in reservation["instancesSet"]?.all("item") ?? [] {
                    var tags: [String: String] = [:]
                    for tag in item["tagSet"]?.all("item") ?? [] {
                        if let key = tag.string("key") { tags[key] = tag.string("value") ?? "" }
                    }
                    instances.append(Instance(
                        id: item.string("instanceId") ?? "", state: item.path("instanceState", "name")?.text ?? "unknown",
                        privateIP: item.string("privateIpAddress"), publicIP: item.string("ipAddress"), tags: tags))
                }
            }
            token = result.string("nextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return instances.sorted { $0.id < $1.id }
    }
}
