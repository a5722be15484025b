import CutoverAWS
import CutoverHTTP
import CutoverSigV4
import CutoverState
import CutoverTesting
import Foundation
import Testing

/// One contract, proved on both stores: the local directory and S3 (moto). Each check is written once,
/// against `any StateStore`, as golang-migrate's driver suite is.
@Suite struct StateStoreConformanceTests {
    @Test func localDirectoryStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = LocalStateStore(directory: directory)
        try await StoreContract.check(store)
        try await LockContract.check(store)
        // Only documents are listed: the store's own lock file and temporaries stay out of sight.
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".lock").path))
        #expect(!(try await store.list(prefix: "")).contains { $0.contains(".lock") || $0.hasSuffix(".tmp") })
    }

    @Test func s3StoreOnMoto() async throws {
        let testbed = try AWSTestbed()
        let s3 = S3Testing.client(endpoint: testbed.motoURL)
        try await s3.createBucket(bucket: "cutover-state")
        try await s3.createBucket(bucket: "cutover-state")  // twice is fine: setup may run again
        try await StoreContract.check(S3StateStore(client: s3, bucket: "cutover-state", prefix: "team/cutover"))
        try await LockContract.check(S3StateStore(client: s3, bucket: "cutover-state", prefix: "locks"))
        // The prefix is the store's: keys outside it are neither listed nor reachable.
        _ = try await s3.putObject(bucket: "cutover-state", key: "team/cutover-other/x.json", data: Data("{}".utf8))
        let store = S3StateStore(client: s3, bucket: "cutover-state", prefix: "/team/cutover/")
        #expect(store.location == "s3://cutover-state/team/cutover")
        #expect(!(try await store.list(prefix: "")).contains { $0.contains("x.json") })
        #expect(try await s3.listObjects(bucket: "cutover-state", prefix: "team/cutover/sys/env/").allSatisfy { $0.hasPrefix("team/cutover/") })
    }

    @Test func s3ListingFollowsContinuationTokens() async throws {
        let testbed = try AWSTestbed()
        let s3 = S3Testing.client(endpoint: testbed.proxyURL)
        try await s3.createBucket(bucket: "cutover-many")
        // Written directly to moto: 1,005 objects is more than one ListObjectsV2 page (1,000).
        let seeded = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3", ["-c", """
            import boto3
            s3 = boto3.client("s3", endpoint_url="\(testbed.motoURL.absoluteString)", region_name="eu-west-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
            for i in range(1005):
                s3.put_object(Bucket="cutover-many", Key="p/k%04d" % i, Body=b"x")
            """])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        try testbed.resetProxy()
        let keys = try await S3StateStore(client: s3, bucket: "cutover-many", prefix: "p").list(prefix: "")
        #expect(keys.count == 1005)
        #expect(keys.first == "k0000" && keys.last == "k1004")
        #expect(try testbed.log().filter { ($0["path"] as? String)?.contains("list-type=2") == true }.count == 2)
    }
}

/// The `StateStore` contract.
enum StoreContract {
    static func check(_ store: any StateStore) async throws {
        let key = "sys/env/journal.json"
        #expect(try await store.read(key) == nil)

        let first = try await store.write(key, Data("one".utf8), condition: .absent)
        #expect(try await store.read(key) == StoredObject(data: Data("one".utf8), version: first))

        // Created only once; the refusal writes nothing and names the key and the store.
        let conflict = try await expectConflict { _ = try await store.write(key, Data("two".utf8), condition: .absent) }
        #expect(conflict?.description.contains(key) == true && conflict?.description.contains(store.location) == true)
        #expect(try await store.read(key)?.data == Data("one".utf8))

        // Replaced only over the version read: a stale version is refused (no lost update).
        let second = try await store.write(key, Data("two".utf8), condition: .version(first))
        #expect(second != first)
        #expect(try await store.read(key) == StoredObject(data: Data("two".utf8), version: second))
        try await expectConflict { _ = try await store.write(key, Data("three".utf8), condition: .version(first)) }
        try await expectConflict { _ = try await store.write("sys/env/never.json", Data("x".utf8), condition: .version(second)) }
        #expect(try await store.read(key)?.data == Data("two".utf8))
        #expect(try await store.read("sys/env/never.json") == nil)

        // Deleted only at the version given; absent keys are not an error.
        try await expectConflict { try await store.delete(key, ifVersion: first) }
        #expect(try await store.read(key) != nil)
        try await store.delete(key, ifVersion: second)
        #expect(try await store.read(key) == nil)
        try await store.delete(key, ifVersion: second)
        try await store.delete(key, ifVersion: nil)
        _ = try await store.write(key, Data("again".utf8), condition: .absent)
        try await store.delete(key, ifVersion: nil)
        #expect(try await store.read(key) == nil)

        // Listing: every key under a prefix, sorted, nested ones included, nothing of a sibling.
        for name in ["sys/env/b.json", "sys/env/a.json", "sys/env/sub/c.json", "sys/env2/d.json", "other/e.json"] {
            _ = try await store.write(name, Data(name.utf8), condition: .absent)
        }
        #expect(try await store.list(prefix: "sys/env/") == ["sys/env/a.json", "sys/env/b.json", "sys/env/sub/c.json"])
        #expect(try await store.list(prefix: "sys/env") == ["sys/env/a.json", "sys/env/b.json", "sys/env/sub/c.json", "sys/env2/d.json"])
        #expect(try await store.list(prefix: "") == ["other/e.json", "sys/env/a.json", "sys/env/b.json", "sys/env/sub/c.json", "sys/env2/d.json"])
        #expect(try await store.list(prefix: "none/") == [])

        // A key that could leave the store, or hide among its own files, is refused before any I/O.
        for bad in ["", "../escape.json", "sys//x.json", "/abs.json", "sys/.hidden", "a\nb"] {
            await #expect(throws: StateStoreError.self, "\(bad.debugDescription)") { _ = try await store.read(bad) }
        }
    }

    @discardableResult
    static func expectConflict(_ body: () async throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> StateConflict? {
        do {
            try await body()
            Issue.record("expected a StateConflict", sourceLocation: sourceLocation)
            return nil
        } catch let conflict as StateConflict {
            #expect(conflict.code == "state.conflict", sourceLocation: sourceLocation)
            return conflict
        }
    }
}

enum S3Testing {
    static func client(endpoint: URL, retry: RetryPolicy = RetryPolicy(maxAttempts: 4, base: .milliseconds(5), cap: .milliseconds(20)),
                       transport: any HTTPTransport = AsyncHTTPTransport()) -> S3Client {
        S3Client(client: AWSClient(transport: transport,
                                   credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
                                   region: "eu-west-1", endpoint: endpoint, retry: retry))
    }
}
