import CutoverCore
import Foundation

/// The example config with one more `jenkins:` setting, read through the config loader like a user's
/// file: the library as a folder property, a sidecar, a sidecar in a Kubernetes agent pod.
public enum ConfigVariants {
    public static let folderLibrary = "  library: folder\n"
    public static let sidecar = "  sidecar:\n    credential: cutover-sidecar-token\n"
    public static let kubernetes = """
          sidecar:
            credential: cutover-sidecar-token
            kubernetes:
              image: registry.example.com/cutover:1.4
              service_account: cutover-release
              secret: cutover-sidecar

        """

    /// The example with `settings` (YAML lines indented under `jenkins:`) added after `keep_builds`.
    public static func example(with settings: String) throws -> Config {
        let anchor = "  keep_builds: 50\n"
        let text = try Fixtures.exampleText()
        precondition(text.contains(anchor), "examples/spectate.yml no longer has `\(anchor)`")
        return try ConfigLoader.parse(text.replacingOccurrences(of: anchor, with: anchor + settings), file: Fixtures.examplePath)
    }

    /// Renders `config` into a scratch directory laid out as its repository (`<rendered_path>/…`), for
    /// the Groovy harness, which loads the library from there as Jenkins would from the checkout.
    public static func renderRepository(_ files: [(path: String, contents: String)], renderedPath: String, label: String) throws -> URL {
        let repository = try Paths.temporaryDirectory(label)
        for file in files {
            let url = repository.appendingPathComponent("\(renderedPath)/\(file.path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return repository
    }
}
