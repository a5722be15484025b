import Foundation

/// The config as committed on a branch of the repository `jenkins.source` names: a bare clone in
/// `directory`, fetched on every tick; the file is read with `git show`, so no work tree is kept and a
/// half-fetched state is never read.
public struct GitConfigSource: ConfigSource {
    public let url: String
    public let branch: String
    /// The config's path inside the repository (`jenkins.config_path`).
    public let path: String
    public let directory: String
    let git: GitCommand

    public init(url: String, branch: String, path: String, directory: String, gitExecutable: String = "/usr/bin/git") {
        self.url = url
        self.branch = branch
        self.path = path
        self.directory = directory
        git = GitCommand(executable: gitExecutable)
    }

    public var description: String { "\(url)#\(branch):\(path)" }

    public func snapshot() async throws -> ConfigSnapshot {
        let ref = "refs/heads/\(branch)"
        if FileManager.default.fileExists(atPath: directory + "/HEAD") {
            _ = try await git.check(["fetch", "--quiet", "--no-tags", url, "+\(ref):\(ref)"], in: directory)
        } else {
            try? FileManager.default.removeItem(atPath: directory)
            _ = try await git.check(["clone", "--quiet", "--bare", "--single-branch", "--branch", branch, "--", url, directory])
        }
        let revision = try await git.check(["rev-parse", "--verify", "\(ref)^{commit}"], in: directory)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let text = try await git.check(["show", "\(revision):\(path)"], in: directory)
        return ConfigSnapshot(text: text, file: path, revision: revision)
    }
}
