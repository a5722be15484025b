@testable import CutoverServer
import CutoverTesting
import Foundation
import Testing

/// The git source against a local bare repository (never the network): clone, fetch, read a path
/// at the branch's commit.
@Suite("Git config source")
struct GitConfigSourceTests {
    /// A bare "remote" and a work tree that pushes to it.
    struct Remote {
        let root: URL
        var bare: String { root.appendingPathComponent("remote.git").path }
        var work: String { root.appendingPathComponent("work").path }

        init() throws {
            root = try Paths.temporaryDirectory("git-source")
            try git(["init", "--quiet", "--bare", "--initial-branch", "main", bare])
            try git(["init", "--quiet", "--initial-branch", "main", work])
        }

        @discardableResult
        func git(_ arguments: [String], in directory: String? = nil) throws -> String {
            let result = try Subprocess.run("/usr/bin/git", (directory.map { ["-C", $0] } ?? []) + arguments,
                                            environment: ["GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                                                          "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"])
            guard result.status == 0 else { throw ConfigSourceError(code: "test", message: result.stderr) }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Commits `text` as `path` and pushes; returns the commit.
        func push(_ text: String, path: String = "release/cutover.yml") throws -> String {
            let file = URL(fileURLWithPath: work).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            try git(["add", "-A"], in: work)
            try git(["commit", "--quiet", "-m", "change"], in: work)
            try git(["push", "--quiet", bare, "main"], in: work)
            return try git(["rev-parse", "HEAD"], in: work)
        }
    }

    @Test func clonesThenFetchesEachSnapshot() async throws {
        let remote = try Remote()
        defer { try? FileManager.default.removeItem(at: remote.root) }
        let first = try remote.push("version: 1\n")
        let source = GitConfigSource(url: remote.bare, branch: "main", path: "release/cutover.yml",
                                     directory: remote.root.appendingPathComponent("clone").path)
        let one = try await source.snapshot()
        #expect(one.text == "version: 1\n" && one.revision == first && one.file == "release/cutover.yml")
        #expect(try await source.snapshot().digest == one.digest, "no change, same digest")

        let second = try remote.push("version: 1\nname: shop\n")
        let two = try await source.snapshot()
        #expect(two.revision == second && two.text.hasSuffix("name: shop\n") && two.digest != one.digest)
        #expect(source.description == "\(remote.bare)#main:release/cutover.yml")
    }

    @Test func aMissingBranchOrPathIsASourceError() async throws {
        let remote = try Remote()
        defer { try? FileManager.default.removeItem(at: remote.root) }
        try remote.push("version: 1\n")
        let clone = remote.root.appendingPathComponent("clone").path
        let noBranch = GitConfigSource(url: remote.bare, branch: "release", path: "release/cutover.yml", directory: clone + "-a")
        let error = try await #require(throws: ConfigSourceError.self) { try await noBranch.snapshot() }
        #expect(error.code == "source.git" && error.message.contains("release"))
        let noPath = GitConfigSource(url: remote.bare, branch: "main", path: "cutover.yml", directory: clone + "-b")
        await #expect(throws: ConfigSourceError.self) { try await noPath.snapshot() }
    }
}
