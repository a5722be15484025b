import CutoverLint
import Testing

/// Every rule finds what it is for: exact rule, line and column, and the message names the problem.
/// Each fixture also holds safe variants of its change, so the lists being exact checks those too.
@Suite("Unsafe migrations are found")
struct UnsafeFixtureTests {
    static let cases: [(fixture: String, expected: [Expected])] = [
        ("unsafe/drop-table.sql", [
            Expected("drop-table", 5, 1, #"DROP TABLE "LegacySession" removes a table the old release still reads and writes"#),
            Expected("drop-table", 6, 1, #"DROP TABLE public."AuditLog", "Temp" removes tables"#),
        ]),
        ("unsafe/drop-column.sql", [
            Expected("drop-column", 4, 20, #"ALTER TABLE "User" drops column "legacyName""#),
            Expected("drop-column", 5, 19, "ALTER TABLE users drops column legacy_flag"),
            Expected("drop-column", 7, 5, #"ALTER TABLE public."Post" drops column "oldSlug""#),
        ]),
        ("unsafe/rename.sql", [
            Expected("rename", 3, 20, #"RENAME COLUMN "name" TO "fullName" renames a column"#),
            Expected("rename", 4, 20, #"RENAME TO "Article" renames a table"#),
            Expected("rename", 5, 23, #"ALTER TABLE "Article" RENAME CONSTRAINT "Post_pkey" TO "Article_pkey" renames a constraint"#),
            Expected("rename", 6, 20, #"RENAME "nick" TO "nickname" renames a column"#),
            Expected("rename", 7, 30, "renames an index"),
            Expected("rename", 8, 19, #"ALTER TYPE "Role" RENAME VALUE 'USER' TO 'MEMBER' renames an enum value"#),
        ]),
        ("unsafe/alter-column-type.sql", [
            Expected("alter-column-type", 4, 20, #"changes the type of column "age": most type changes rewrite the whole table"#),
            Expected("alter-column-type", 5, 20, #"changes the type of column "bio""#),
        ]),
        ("unsafe/not-null-without-default.sql", [
            Expected("not-null-without-default", 4, 20, #"adds column "tenantId" NOT NULL without a DEFAULT"#),
            Expected("not-null-without-default", 5, 20, #"adds column "region" NOT NULL without a DEFAULT"#),
            Expected("not-null-without-default", 6, 20, #"sets column "email" NOT NULL: PostgreSQL scans the whole table"#),
        ]),
        ("unsafe/volatile-default.sql", [
            Expected("volatile-default", 4, 20, #"adds column "externalId" with the volatile default gen_random_uuid()"#),
            Expected("volatile-default", 5, 20, "the volatile default clock_timestamp()"),
            Expected("volatile-default", 6, 20, "the volatile default random()"),
            Expected("volatile-default", 7, 20, "type BIGSERIAL, whose default is the volatile nextval()"),
            Expected("volatile-default", 8, 20, #"adds column "number" with an identity"#),
        ]),
        ("unsafe/index-not-concurrent.sql", [
            Expected("index-not-concurrent", 4, 1, #"CREATE UNIQUE INDEX "User_handle_key" ON "User" without CONCURRENTLY blocks every write"#),
            Expected("index-not-concurrent", 5, 1, #"create index user_name_idx ON public."User" without CONCURRENTLY"#),
            Expected("index-not-concurrent", 6, 1, #"DROP INDEX "Post_title_idx" without CONCURRENTLY takes an ACCESS EXCLUSIVE lock"#),
            Expected("index-not-concurrent", 7, 20, #"ALTER TABLE "User" adds a UNIQUE constraint, building its index"#),
        ]),
        ("unsafe/concurrently-not-alone.sql", [
            Expected("index-not-concurrent", 3, 1, #"CREATE INDEX CONCURRENTLY "User_bio_idx" shares its migration file with other statements"#),
        ]),
        ("unsafe/constraint-not-valid.sql", [
            Expected("constraint-not-valid", 4, 20, #"adds FOREIGN KEY constraint "Post_authorId_fkey" without NOT VALID"#),
            Expected("constraint-not-valid", 5, 20, #"adds CHECK constraint "User_age_check" without NOT VALID"#),
            Expected("constraint-not-valid", 6, 20, #"ALTER TABLE "User" adds CHECK constraint without NOT VALID"#),
            Expected("constraint-not-valid", 11, 20, #"validates constraint "Post_editorId_fkey" in the same migration that adds it NOT VALID"#),
        ]),
        ("unsafe/missing-lock-timeout.sql", [
            Expected("missing-lock-timeout", 2, 1, #"ALTER TABLE locks existing table "User" with no lock_timeout set"#),
        ]),
        ("unsafe/missing-lock-timeout-index.sql", [
            Expected("index-not-concurrent", 5, 1, #"CREATE INDEX "User_name_idx" ON "User" without CONCURRENTLY"#),
            Expected("missing-lock-timeout", 5, 1, #"CREATE INDEX locks existing table "User" with no lock_timeout set"#),
        ]),
    ]

    @Test(arguments: cases)
    func findsExactlyTheUnsafeStatements(fixture: String, expected: [Expected]) throws {
        let findings = try LintFixtures.lint(fixture)
        #expect(findings.map(\.place) == expected.map { "\($0.rule)@\($0.line):\($0.column)" })
        for (finding, expectation) in zip(findings, expected) {
            #expect(finding.message.contains(expectation.message), "\(finding.message)")
            #expect(!finding.suppressed)
            #expect(finding.file == fixture)
        }
    }

    @Test func everyRuleHasAFixtureThatFindsIt() {
        let covered = Set(Self.cases.flatMap { $0.expected.map(\.rule) })
        #expect(covered == Set(MigrationLinter.rules.map(\.id)))
    }

    /// The fixes spell out the expand/contract way, and the CONCURRENTLY constraint where it applies.
    @Test func fixesSayHowToDoItInstead() throws {
        let findings = try Self.cases.flatMap { try LintFixtures.lint($0.fixture) }
        #expect(findings.allSatisfy { !$0.fix.isEmpty && !$0.message.isEmpty })
        let index = try #require(findings.first { $0.rule == "index-not-concurrent" && $0.line == 4 })
        #expect(index.fix.contains(#"CREATE UNIQUE INDEX CONCURRENTLY "User_handle_key""#))
        #expect(index.fix.contains("Prisma runs a migration file as one transaction and CONCURRENTLY cannot run inside a transaction"))
        #expect(index.fix.contains("holds that statement alone"))
        let constraint = try #require(findings.first { $0.rule == "constraint-not-valid" })
        #expect(constraint.fix.contains("NOT VALID") && constraint.fix.contains("VALIDATE CONSTRAINT"))
        let lowerCase = try #require(findings.first { $0.rule == "index-not-concurrent" && $0.line == 5 })
        #expect(lowerCase.fix.hasPrefix("Use create index CONCURRENTLY user_name_idx in a migration file"))
        let serial = try #require(findings.first { $0.rule == "volatile-default" && $0.message.contains("BIGSERIAL") })
        #expect(serial.fix.contains("CREATE SEQUENCE"))
        let drop = try #require(findings.first { $0.rule == "drop-column" })
        #expect(drop.fix.contains("later contract release"))
        let lock = try #require(findings.first { $0.rule == "missing-lock-timeout" })
        #expect(lock.fix.contains("SET lock_timeout"))
    }
}
