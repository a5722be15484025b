import CutoverLint
import Testing

/// Each rule's statement hidden where it is not SQL: in `--` and nested `/* */` comments, plain and
/// E'' string literals, a quoted identifier, and dollar-quoted function bodies. None of it is a finding.
@Suite("Look-alikes are not findings")
struct LookalikeTests {
    /// The statement each look-alike fixture hides, and the statement itself proving the rule would fire.
    static let hidden: [(rule: String, statement: String)] = [
        ("drop-table", #"DROP TABLE "User";"#),
        ("drop-column", #"ALTER TABLE "User" DROP COLUMN "name";"#),
        ("rename", #"ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";"#),
        ("alter-column-type", #"ALTER TABLE "User" ALTER COLUMN "age" TYPE BIGINT;"#),
        ("not-null-without-default", #"ALTER TABLE "User" ADD COLUMN "tenantId" INTEGER NOT NULL;"#),
        ("volatile-default", #"ALTER TABLE "User" ADD COLUMN "token" UUID DEFAULT gen_random_uuid();"#),
        ("index-not-concurrent", #"CREATE INDEX "User_name_idx" ON "User"("name");"#),
        ("constraint-not-valid", #"ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");"#),
        ("missing-lock-timeout", #"ALTER TABLE "User" ADD COLUMN "nickname" TEXT;"#),
    ]

    @Test(arguments: hidden)
    func hiddenStatementsAreNotFound(rule: String, statement: String) throws {
        let fixture = "lookalikes/\(rule).sql"
        let text = try LintFixtures.text(fixture)
        // The fixture really hides it everywhere: two comments and a nested one, two strings,
        // an identifier (with doubled quotes) and two bodies.
        #expect(text.components(separatedBy: statement).count - 1 >= 7)
        #expect(text.contains(#"CREATE TABLE ""# + statement.replacingOccurrences(of: "\"", with: "\"\"") + "\""))
        #expect(text.contains("$$ BEGIN \(statement)"))
        #expect(try LintFixtures.lint(fixture) == [])
    }

    /// The same statement as plain SQL is found: the look-alike test above can fail.
    @Test(arguments: hidden)
    func theStatementItselfIsFound(rule: String, statement: String) {
        let sql = rule == "missing-lock-timeout" ? statement : "SET lock_timeout = '5s';\n\(statement)"
        #expect(lint(sql).map(\.rule) == [rule])
    }

    @Test func everyRuleHasLookalikes() {
        #expect(Set(Self.hidden.map(\.rule)) == Set(MigrationLinter.rules.map(\.id)))
    }
}
