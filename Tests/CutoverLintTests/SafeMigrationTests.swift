import CutoverLint
import Testing

/// Expand-only migrations, as Prisma writes them or as the fixes say to write them, pass clean.
@Suite("Safe migrations")
struct SafeMigrationTests {
    @Test(arguments: LintFixtures.names(in: "safe"))
    func safeMigrationHasNoFindings(fixture: String) throws {
        #expect(try LintFixtures.lint(fixture) == [])
    }

    @Test func theSafeFixturesAreThere() {
        #expect(LintFixtures.names(in: "safe") == [
            "safe/add-nullable-column.sql", "safe/create-index-concurrently.sql", "safe/drop-index-concurrently.sql",
            "safe/new-table-with-relations.sql", "safe/prisma-init.sql", "safe/set-local-lock-timeout.sql",
        ])
    }

    /// CONCURRENTLY alone in its file is the safe form; with any other statement (even SET) it fails
    /// at deploy, because PostgreSQL runs a multi-statement file as one implicit transaction.
    @Test func concurrentlyIsSafeOnlyAlone() {
        #expect(places(#"CREATE INDEX CONCURRENTLY "i" ON "User"("name");"#) == [])
        #expect(places("-- note\nDROP INDEX CONCURRENTLY \"i\"; -- trailing") == [])
        #expect(places("SET lock_timeout = '5s';\nDROP INDEX CONCURRENTLY \"i\";") == ["index-not-concurrent@2:1"])
    }
}
