import CutoverLint
import CutoverTesting
import Foundation

/// The SQL fixtures under Tests/Fixtures/lint and shorthands for what the lint says about them.
enum LintFixtures {
    static let root = "Tests/Fixtures/lint"

    /// The fixture's text.
    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: Paths.repo("\(root)/\(name)"), encoding: .utf8)
    }

    /// All findings for a fixture, suppressed ones included.
    static func lint(_ name: String) throws -> [LintFinding] {
        MigrationLinter.lint(sql: try text(name), file: name)
    }

    /// The fixture names in a folder, sorted.
    static func names(in folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Paths.repo("\(root)/\(folder)"))) ?? []
        return files.filter { $0.hasSuffix(".sql") }.sorted().map { "\(folder)/\($0)" }
    }
}

/// A finding reduced to what the expectations pin: rule, place, and a piece of the message.
struct Expected: CustomStringConvertible, Sendable {
    var rule: String
    var line: Int
    var column: Int
    var message: String

    init(_ rule: String, _ line: Int, _ column: Int, _ message: String) {
        self.rule = rule
        self.line = line
        self.column = column
        self.message = message
    }

    var description: String { "\(rule)@\(line):\(column) ~ \(message)" }
}

extension LintFinding {
    /// `rule@line:column`, to compare whole lists at once.
    var place: String { "\(rule)@\(line):\(column)" }
}

/// Lints SQL written in a test, named `test.sql`.
func lint(_ sql: String) -> [LintFinding] {
    MigrationLinter.lint(sql: sql, file: "test.sql")
}

/// The unsuppressed findings' `rule@line:column`.
func places(_ sql: String) -> [String] {
    lint(sql).filter { !$0.suppressed }.map(\.place)
}
