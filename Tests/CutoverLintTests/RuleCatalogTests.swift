import CutoverLint
import Testing

@Suite("Rule catalog")
struct RuleCatalogTests {
    /// The ids are an interface: suppressions and scripts name them.
    @Test func theRuleIdsAreStable() {
        #expect(MigrationLinter.rules.map(\.id) == [
            "drop-table", "drop-column", "rename", "alter-column-type", "not-null-without-default",
            "volatile-default", "index-not-concurrent", "constraint-not-valid", "missing-lock-timeout",
        ])
    }

    @Test func everyRuleHasAOneLineSummary() {
        for rule in MigrationLinter.rules {
            #expect(!rule.summary.isEmpty && !rule.summary.contains("\n"), "\(rule.id)")
        }
    }

    @Test func findingsPrintLikeCompilerDiagnostics() {
        let finding = LintFinding(rule: "drop-table", file: "m/x/migration.sql", line: 3, column: 1, message: "gone", fix: "later")
        #expect(finding.description == "m/x/migration.sql:3:1: drop-table: gone")
        var allowed = finding
        allowed.suppressed = true
        #expect(allowed.description == "m/x/migration.sql:3:1: drop-table: gone (allowed)")
    }
}
