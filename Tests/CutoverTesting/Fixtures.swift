import CutoverCore
import Foundation

/// Shared fixtures: the bundled example and small configs built in code.
public enum Fixtures {
    public static let examplePath = "examples/spectate.yml"

    public static func exampleText() throws -> String {
        try String(contentsOfFile: Paths.repo(examplePath), encoding: .utf8)
    }

    public static func example() throws -> Config {
        try ConfigLoader.parse(exampleText(), file: examplePath)
    }

    /// A minimal valid config; `services` and `extra` are spliced in as YAML text.
    public static func minimalYAML(services: String? = nil, jenkinsExtra: String = "", extra: String = "") -> String {
        """
        version: 1
        name: shop
        jenkins:
          approvers: [releasers]
          source: {url: https://git.example.com/shop/release.git}
        \(jenkinsExtra)
        aws: {region: us-east-1}
        environments:
          staging:
            listeners:
              web: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/0123456789abcdef
        services:
        \(services ?? """
          web:
            kind: instances
            listener: web
            target_groups: {blue: web-blue, green: web-green}
        """)
        \(extra)
        """
    }

    /// The diagnostics `text` produces, or an empty list when it is valid.
    public static func diagnostics(_ text: String) -> [Diagnostic] {
        do {
            _ = try ConfigLoader.parse(text, file: "test.yml")
            return []
        } catch let error as ConfigError {
            return error.diagnostics
        } catch {
            return [Diagnostic(location: SourceLocation(file: "test.yml", line: 0, column: 0), path: "", message: "\(error)", hint: "")]
        }
    }
}
