import CutoverAWS
import CutoverHTTP
import CutoverState
import CutoverTesting
import Foundation
import Testing

/// The S3 store through the fault proxy: what is retried, what is not, and what a user sees when S3
/// stays down or refuses.
@Suite struct S3FaultTests {
    @Test func retriesServerErrorsButNeverAFailedCondition() async throws {
        let testbed = try AWSTestbed()
        let s3 = S3Testing.client(endpoint: testbed.proxyURL)
        try await s3.createBucket(bucket: "cutover-faults")
        let store = S3StateStore(client: s3, bucket: "cutover-faults", prefix: "state")

        try testbed.resetProxy()
        try testbed.faults([["match": ["method": "PUT", "path": "/cutover-faults/state/"], "fault": ["type": "status", "status": 503], "count": 2]])
        let version = try await store.write("sys/env/journal.json", Data("one".utf8), condition: .absent)
        #expect(try await store.read("sys/env/journal.json")?.version == version)
        let puts = try testbed.log().filter { $0["method"] as? String == "PUT" }
        #expect(puts.map { $0["status"] as? Int } == [503, 503, 200])

        // 412 is an answer about the object: asked once, reported as a conflict.
        try testbed.resetProxy()
        await #expect(throws: StateConflict.self) {
            _ = try await store.write("sys/env/journal.json", Data("two".utf8), condition: .absent)
        }
        await #expect(throws: StateConflict.self) {
            _ = try await store.write("sys/env/journal.json", Data("two".utf8), condition: .version("\"0123\""))
        }
        #expect(try testbed.log().map { $0["status"] as? Int } == [412, 412])

        // A dropped connection on a read is retried too.
        try testbed.resetProxy()
        try testbed.faults([["match": ["method": "GET"], "fault": ["type": "drop"], "count": 1]])
        #expect(try await store.read("sys/env/journal.json")?.data == Data("one".utf8))
        #expect(try testbed.log().count == 2)
    }

    @Test func aPermanentFailureIsAStateStoreErrorNamingTheIAMActions() async throws {
        let testbed = try AWSTestbed()
        let s3 = S3Testing.client(endpoint: testbed.proxyURL)
        try await s3.createBucket(bucket: "cutover-down")
        let store = S3StateStore(client: s3, bucket: "cutover-down", prefix: "state")

        try testbed.resetProxy()
        try testbed.faults([["match": ["path": "/cutover-down/"], "fault": ["type": "status", "status": 503]]])
        let outage = try await expectStoreError { _ = try await store.read("sys/env/lock.json") }
        #expect(outage.code == "state.unavailable" && outage.exitStatus == .failure)
        #expect(outage.description.hasPrefix("cannot read sys/env/lock.json in the state store s3://cutover-down/state: S3 GetObject failed: InternalFailure"))
        #expect(try testbed.log().count == 4, "retried up to the policy's 4 attempts")

        try testbed.resetProxy()
        try testbed.faults([["match": ["method": "PUT"], "fault": ["type": "fail", "status": 403, "code": "AccessDenied", "message": "Access Denied"]]])
        let denied = try await expectStoreError { _ = try await store.write("sys/env/lock.json", Data("{}".utf8), condition: .absent) }
        #expect(denied.description.contains("AccessDenied: Access Denied (HTTP 403"))
        #expect(denied.hint == "cutover needs s3:GetObject, s3:PutObject and s3:DeleteObject on arn:aws:s3:::cutover-down/state/* and s3:ListBucket on arn:aws:s3:::cutover-down")
        #expect(try testbed.log().count == 1, "not retried")

        // The lock surfaces the same error rather than claiming a lock it could not write.
        await #expect(throws: StateStoreError.self) {
            _ = try await StateLock.acquire(store: store, key: "sys/env/lock.json", command: "promote", release: "r1")
        }

        let missing = S3StateStore(client: s3, bucket: "no-such-bucket", prefix: "")
        try testbed.resetProxy()
        let noBucket = try await expectStoreError { _ = try await missing.list(prefix: "") }
        #expect(noBucket.hint.hasPrefix("the bucket no-such-bucket does not exist"))
    }

    func expectStoreError(_ body: () async throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> StateStoreError {
        do {
            try await body()
        } catch let error as StateStoreError {
            return error
        }
        Issue.record("expected a StateStoreError", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}
