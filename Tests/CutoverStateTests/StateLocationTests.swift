import CutoverState
import Foundation
import Testing

@Suite struct StateLocationTests {
    @Test func parsesS3URLsAndPaths() throws {
        #expect(try StateLocation.parse("s3://spectate-state") == .s3(bucket: "spectate-state", prefix: ""))
        #expect(try StateLocation.parse("s3://spectate-state/") == .s3(bucket: "spectate-state", prefix: ""))
        #expect(try StateLocation.parse("s3://spectate.state/team/cutover/") == .s3(bucket: "spectate.state", prefix: "team/cutover"))
        #expect(try StateLocation.parse("/var/lib/cutover") == .directory(URL(fileURLWithPath: "/var/lib/cutover", isDirectory: true)))
        let relative = try StateLocation.parse("state/dir")
        #expect(relative == .directory(URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/state/dir", isDirectory: true)))
        #expect(try StateLocation.parse("s3://spectate-state/team").description == "s3://spectate-state/team")
        #expect(try StateLocation.parse("/var/lib/cutover").description == "/var/lib/cutover")
    }

    @Test(arguments: [
        ("s3://", "names no bucket"),
        ("s3:///prefix", "names no bucket"),
        ("s3://Spectate_State", "has the bucket name 'Spectate_State', which contains 'S'"),
        ("s3://ab", "has the bucket name 'ab', which is 2 characters long (S3 allows 3 to 63)"),
        ("s3://-state", "must start and end with a lowercase letter or digit"),
        ("s3://a..b", "has two adjacent periods"),
        ("s3://192.168.1.10", "is formatted as an IP address"),
        ("s3://xn--state", "starts with the reserved xn--"),
        ("s3://bucket//x", "has an empty segment"),
        ("s3://bucket/a/../b", "uses '..' as a segment"),
        ("s3://bucket/a b", "has the prefix 'a b', which contains a space"),
        ("https://bucket.s3.amazonaws.com/x", "uses the scheme https://; only s3:// and directory paths are supported"),
        ("", "is empty"),
    ])
    func rejectsBadLocationsWithAReason(text: String, reason: String) {
        do {
            _ = try StateLocation.parse(text)
            Issue.record("\(text.debugDescription) was accepted")
        } catch let error as StateLocationError {
            #expect(error.code == "state.location")
            #expect(error.description.contains(reason), "\(error.description)")
            #expect(error.description.contains("hint: set CUTOVER_STATE or `state:` to s3://BUCKET"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theEnvironmentVariableBeatsTheConfigWhichBeatsTheDefault() throws {
        let fallback = URL(fileURLWithPath: "/tmp/cutover-default")  // given without a trailing slash
        #expect(try StateLocation.resolve(environmentVariable: "s3://from-env", configured: "s3://from-config", defaultDirectory: fallback)
            == .s3(bucket: "from-env", prefix: ""))
        #expect(try StateLocation.resolve(environmentVariable: "/srv/state", configured: "s3://from-config", defaultDirectory: fallback)
            == .directory(URL(fileURLWithPath: "/srv/state", isDirectory: true)))
        #expect(try StateLocation.resolve(environmentVariable: "", configured: "s3://from-config/p", defaultDirectory: fallback)
            == .s3(bucket: "from-config", prefix: "p"))
        #expect(try StateLocation.resolve(environmentVariable: nil, configured: nil, defaultDirectory: fallback) == .directory(URL(fileURLWithPath: "/tmp/cutover-default/")))
        #expect(try StateLocation.resolve(environmentVariable: "", configured: "", defaultDirectory: fallback) == .directory(URL(fileURLWithPath: "/tmp/cutover-default/")))
        #expect(throws: StateLocationError.self) {
            try StateLocation.resolve(environmentVariable: "s3://", configured: "s3://fine-bucket", defaultDirectory: fallback)
        }
    }

    @Test func aHolderDescribesItselfForTheRefusal() {
        let holder = LockHolder(id: "7c0f", command: "promote", release: "r2", host: "agent-3", pid: 4242, user: "jenkins",
                                build: "https://jenkins.example.com/job/promote/17/",
                                started: Date(timeIntervalSince1970: 1_800_000_000), expires: Date(timeIntervalSince1970: 1_800_000_060.5))
        #expect(holder.description == "cutover promote --release r2 (pid 4242 on agent-3, user jenkins, since 2027-01-15T08:00:00Z, "
            + "lease until 2027-01-15T08:01:00Z, build https://jenkins.example.com/job/promote/17/)")
        let bare = LockHolder(id: "1", command: "rollback", release: nil, host: "h", pid: 1, user: nil, build: nil,
                              started: Date(timeIntervalSince1970: 0), expires: Date(timeIntervalSince1970: 60))
        #expect(bare.description == "cutover rollback (pid 1 on h, since 1970-01-01T00:00:00Z, lease until 1970-01-01T00:01:00Z)")
    }
}
