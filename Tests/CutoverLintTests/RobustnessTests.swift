import CutoverLint
import Testing

/// The lint reads whatever is in a migrations folder: no input may trap, and findings always
/// point inside the file.
@Suite("Robustness")
struct RobustnessTests {
    private static let fragments = [
        "ALTER", "TABLE", "INDEX", "CREATE", "DROP", "ADD", "COLUMN", "RENAME", "TO", "TYPE", "SET", "NOT", "NULL",
        "DEFAULT", "CONSTRAINT", "CHECK", "FOREIGN", "KEY", "UNIQUE", "PRIMARY", "VALID", "VALIDATE", "USING",
        "ON", "ONLY", "IF", "EXISTS", "CONCURRENTLY", "lock_timeout", "LOCAL", "RESET", "SELECT", "set_config",
        "BEGIN", "ATOMIC", "CASE", "END", "COMMIT", "GENERATED", "AS", "IDENTITY", "bigserial", "random",
        "t", "\"T\"", "public", ".", ",", "(", ")", ";", "=", "*", "'", "''", "E'", "\\", "\"", "$$", "$a$", "$1", "$",
        "--", "/*", "*/", "-- cutover:allow all", "0", "'5s'", " ", " ", " ", "\n", "\r\n", "\t", "é", "🙂",
    ]

    /// A deterministic generator, so a failure reproduces.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// How statements start, so the noise after them reaches the rules' parsers.
    private static let heads = [
        "ALTER TABLE t", "ALTER TABLE IF EXISTS ONLY public.\"T\"", "CREATE UNIQUE INDEX i ON t", "CREATE INDEX ON",
        "DROP TABLE", "DROP INDEX CONCURRENTLY", "CREATE TABLE t", "SET lock_timeout", "SELECT set_config(",
        "ALTER TYPE", "ALTER TABLE t ADD COLUMN c", "ALTER TABLE t ALTER COLUMN c", "CREATE FUNCTION f() BEGIN ATOMIC",
    ]

    @Test func randomSQLNeverTrapsAndFindingsPointIntoTheFile() {
        var random = SplitMix(state: 20_240_101)
        let ids = Set(MigrationLinter.rules.map(\.id))
        var findings = 0
        for _ in 0..<3000 {
            let sql = (0..<Int.random(in: 1...5, using: &random)).map { _ in
                let noise = (0..<Int.random(in: 0...10, using: &random)).map { _ in Self.fragments.randomElement(using: &random)! }
                return ([Self.heads.randomElement(using: &random)!] + noise).joined(separator: " ")
            }.joined(separator: Bool.random(using: &random) ? ";\n" : "; ")
            let lines = sql.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).count
            for finding in lint(sql) {
                findings += 1
                #expect(ids.contains(finding.rule))
                #expect((1...lines).contains(finding.line), "\(finding) in \(sql.debugDescription)")
                #expect(finding.column >= 1)
            }
        }
        // The generator does produce unsafe statements, so the checks above ran.
        #expect(findings > 1000)
    }

    @Test func aLargeFileIsLintedInOnePass() {
        let statement = #"ALTER TABLE "User" ADD COLUMN "c" TEXT; -- note"# + "\n"
        let sql = "SET lock_timeout = '5s';\n" + String(repeating: statement, count: 5_000) + #"ALTER TABLE "User" DROP COLUMN "c";"#
        #expect(lint(sql).map(\.place) == ["drop-column@5002:20"])
    }
}
