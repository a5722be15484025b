/// An Aurora cluster's endpoints.
public struct DBCluster: Sendable, Equatable {
    public var identifier: String
    public var status: String
    /// The writer endpoint (migrations connect here).
    public var endpoint: String?
    /// The reader endpoint (the Frontend reads here).
    public var readerEndpoint: String?
    public var port: Int?
}

/// The RDS call cutover makes: resolving a cluster's writer and reader endpoints.
public struct RDSClient: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    public func describeCluster(identifier: String) async throws -> DBCluster {
        var parameters = QueryParameters()
        parameters.add("DBClusterIdentifier", identifier)
        let result = try await client.query(.rds, "DescribeDBClusters", parameters)
        guard let cluster = result["DBClusters"]?.children.first else {
            throw AWSError(service: "RDS", action: "DescribeDBClusters", reason: .service(status: 404, code: "DBClusterNotFoundFault", message: "cluster \(identifier) not found", requestID: nil))
        }
        return DBCluster(identifier: cluster.string("DBClusterIdentifier") ?? identifier, status: cluster.string("Status") ?? "",
                         endpoint: cluster.string("Endpoint"), readerEndpoint: cluster.string("ReaderEndpoint"),
                         port: cluster.string("Port").flatMap { Int($0) })
    }
}
