import CutoverLint
import Testing

/// `-- cutover:allow <rule>` accepts a reviewed finding for one statement; it is still reported.
@Suite("Suppression")
struct SuppressionTests {
    private func marks(_ sql: String) -> [String] {
        lint("SET lock_timeout = '5s';\n" + sql).map { "\($0.place)\($0.suppressed ? " allowed" : "")" }
    }

    @Test func coversTheStatementRightBelowOnly() {
        #expect(marks("""
        -- cutover:allow drop-column
        ALTER TABLE "User" DROP COLUMN "a";
        ALTER TABLE "User" DROP COLUMN "b";
        """) == ["drop-column@3:20 allowed", "drop-column@4:20"])
    }

    @Test func aCommentOnTheStatementsLineCoversIt() {
        #expect(marks("""
        ALTER TABLE "User" DROP COLUMN "a"; -- cutover:allow drop-column
        ALTER TABLE "User" DROP COLUMN "b";
        ALTER TABLE "User" -- cutover:allow drop-column
            DROP COLUMN "c";
        """) == ["drop-column@2:20 allowed", "drop-column@3:20", "drop-column@5:5 allowed"])
    }

    @Test func otherRulesOfTheSameStatementAreStillReported() {
        let findings = lint("""
        -- cutover:allow drop-column
        ALTER TABLE "User" DROP COLUMN "a", ALTER COLUMN "b" TYPE BIGINT;
        """)
        #expect(findings.map { "\($0.rule) \($0.suppressed)" } == [
            "missing-lock-timeout false", "drop-column true", "alter-column-type false",
        ])
    }

    @Test func severalIdsCommasOrSpaces() {
        let findings = lint("""
        -- cutover:allow drop-column, alter-column-type missing-lock-timeout
        ALTER TABLE "User" DROP COLUMN "a", ALTER COLUMN "b" TYPE BIGINT;
        """)
        #expect(findings.count == 3)
        #expect(findings.allSatisfy { $0.suppressed })
    }

    @Test func allCoversEveryRuleOfOneStatement() {
        let findings = lint("""
        /* cutover:allow all */
        ALTER TABLE "User" DROP COLUMN "a", ALTER COLUMN "b" TYPE BIGINT;
        DROP TABLE "Old";
        """)
        #expect(findings.map { "\($0.place) \($0.suppressed)" } == [
            "missing-lock-timeout@2:1 true", "drop-column@2:20 true", "alter-column-type@2:37 true", "drop-table@3:1 false",
        ])
    }

    @Test func doesNotReachPastAnotherStatement() {
        #expect(marks("""
        -- cutover:allow drop-table
        SELECT 1;
        DROP TABLE "Old";
        """) == ["drop-table@4:1"])
    }

    @Test func aReasonMayFollowButATypoAllowsNothing() {
        #expect(marks("""
        -- cutover:allow drop-column: unused since release 2.3
        ALTER TABLE "User" DROP COLUMN "a";
        -- cutover:allow drop-colum
        ALTER TABLE "User" DROP COLUMN "b";
        -- cutover:allowdrop-column
        ALTER TABLE "User" DROP COLUMN "c";
        """) == ["drop-column@3:20 allowed", "drop-column@5:20", "drop-column@7:20"])
    }

    @Test func aDirectiveInsideAStringIsNotAComment() {
        #expect(marks("""
        ALTER TABLE "User" ADD COLUMN "n" TEXT DEFAULT '-- cutover:allow drop-column', DROP COLUMN "a";
        """) == ["drop-column@2:80"])
    }
}
