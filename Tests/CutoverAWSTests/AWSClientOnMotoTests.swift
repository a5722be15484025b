import CutoverAWS
import CutoverHTTP
import CutoverSigV4
import CutoverTesting
import Foundation
import Testing

/// The protocol clients against moto, through the fault proxy: what each call returns, and retries.
@Suite struct AWSClientOnMotoTests {
    func client(_ testbed: AWSTestbed) -> AWSClient {
        AWSClient(transport: AsyncHTTPTransport(), credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
                  region: "eu-west-1", endpoint: testbed.proxyURL, retry: RetryPolicy(maxAttempts: 5, base: .milliseconds(5), cap: .milliseconds(50)))
    }

    @Test func rdsClusterEndpointsEC2TagFiltersAndTargetGroupLookups() async throws {
        let testbed = try AWSTestbed()
        let seeded = try testbed.seed([
            "rds": [["id": "spectate-staging", "engine": "aurora-postgresql"]],
            "instances": [
                ["name": "a", "tags": ["cutover:service": "frontend", "cutover:color": "green"]],
                ["name": "b", "tags": ["cutover:service": "frontend", "cutover:color": "blue"]],
                ["name": "c", "tags": ["cutover:service": "frontend", "cutover:color": "green"], "state": "stopped"],
            ],
            "target_groups": ["tg-one": [:], "tg-two": [:]],
        ])
        let client = client(testbed)
        let cluster = try await RDSClient(client: client).describeCluster(identifier: "spectate-staging")
        let rds = (seeded["rds"] as! [String: [String: Any]])["spectate-staging"]!
        #expect(cluster.endpoint == rds["endpoint"] as? String)
        #expect(cluster.readerEndpoint == rds["reader_endpoint"] as? String)
        #expect(cluster.endpoint != cluster.readerEndpoint)
        #expect(cluster.port == 5432)
        await #expect(throws: AWSError.self) { try await RDSClient(client: client).describeCluster(identifier: "missing") }

        let instances = try await EC2Client(client: client).describeInstances(filters: [
            ("tag:cutover:service", ["frontend"]), ("tag:cutover:color", ["green"]), ("instance-state-name", ["running"]),
        ])
        let ids = seeded["instances"] as! [String: [String: Any]]
        #expect(instances.map(\.id) == [ids["a"]!["id"] as! String])
        #expect(instances[0].tags["cutover:color"] == "green")
        #expect(instances[0].privateIP == ids["a"]!["private_ip"] as? String)

        // One call for several names; an unknown name falls back to asking each and is left out.
        let elbv2 = ELBv2Client(client: client)
        try testbed.resetProxy()
        #expect(try await elbv2.describeTargetGroups(names: ["tg-one", "tg-two"]).map(\.name) == ["tg-one", "tg-two"])
        #expect(try testbed.log().count == 1)
        #expect(try await elbv2.describeTargetGroups(names: ["tg-two", "nope", "tg-one"]).map(\.name) == ["tg-two", "tg-one"])
    }

    @Test func retriesThrottlingAndGivesUpOnRealErrorsWithTheirCode() async throws {
        let testbed = try AWSTestbed()
        _ = try testbed.seed(["target_groups": ["tg-one": [:]]])
        let elbv2 = ELBv2Client(client: client(testbed))
        let arn = try #require(try await elbv2.describeTargetGroups(names: ["tg-one"]).first?.arn)
        try testbed.resetProxy()
        try testbed.faults([
            ["match": ["action": "DescribeTargetGroups"], "fault": ["type": "throttle"], "count": 3],
            ["match": ["action": "DescribeTags"], "fault": ["type": "drop"], "count": 1],
        ])
        #expect(try await elbv2.describeTargetGroups(names: ["tg-one"]).count == 1)
        let attempts = try testbed.log().filter { $0["action"] as? String == "DescribeTargetGroups" }
        #expect(attempts.count == 4)
        #expect(try await elbv2.describeTags(arns: [arn]).keys.sorted() == [arn], "answered after a dropped connection")
        #expect(try testbed.log().filter { $0["action"] as? String == "DescribeTags" }.map { $0["status"] is Int } == [false, true])
        try testbed.faults([["match": ["action": "ModifyListener"], "fault": ["type": "fail", "status": 400, "code": "ValidationError", "message": "nope"]]])
        do {
            try await elbv2.modifyListener(arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2", defaultActions: [])
            Issue.record("a ValidationError must throw")
        } catch let error as AWSError {
            #expect(error.awsCode == "ValidationError")
            #expect(error.description.hasPrefix("ELBv2 ModifyListener failed: ValidationError: nope (HTTP 400"))
        }
        #expect(try testbed.log().filter { $0["action"] as? String == "ModifyListener" }.count == 1, "not retried")
    }
}
