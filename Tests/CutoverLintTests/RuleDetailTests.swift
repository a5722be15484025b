import CutoverLint
import Testing

/// The finer points of the rules, on SQL written here.
@Suite("Rule details")
struct RuleDetailTests {
    private func found(_ sql: String) -> [String] {
        places("SET lock_timeout = '5s';\n" + sql)
    }

    @Test(arguments: ["clock_timestamp()", "random()", "gen_random_uuid()", "uuid_generate_v4()", "public.uuid_generate_v4()",
                      "nextval('user_seq'::regclass)", "timeofday()::timestamptz", "(RANDOM() * 10)::int"])
    func volatileDefaultsRewriteTheTable(expression: String) {
        #expect(found(#"ALTER TABLE "User" ADD COLUMN "x" TEXT DEFAULT "# + expression + ";") == ["volatile-default@2:20"])
    }

    /// STABLE functions are evaluated once for the whole ALTER: PostgreSQL 11+ stores the value, no rewrite.
    @Test(arguments: ["now()", "CURRENT_TIMESTAMP", "current_timestamp", "statement_timestamp()", "transaction_timestamp()",
                      "'random()'", "0", "'{}'::jsonb", "CURRENT_DATE"])
    func stableAndConstantDefaultsAreSafe(expression: String) {
        #expect(found(#"ALTER TABLE "User" ADD COLUMN "x" TEXT NOT NULL DEFAULT "# + expression + ";") == [])
    }

    @Test func keywordsAnyCaseIdentifiersQuotedOrQualified() {
        #expect(found(#"alter TABLE "User" Drop Column "x";"#) == ["drop-column@2:20"])
        #expect(found(#"ALTER TABLE IF EXISTS ONLY public."User" DROP "x";"#) == ["drop-column@2:42"])
        #expect(found(#"ALTER TABLE "my schema"."User" DROP COLUMN IF EXISTS "x" CASCADE;"#) == ["drop-column@2:32"])
    }

    @Test func alterColumnSubActionsThatAreNotDrops() {
        #expect(found("""
        ALTER TABLE t ALTER COLUMN c DROP DEFAULT, ALTER c DROP NOT NULL, ALTER COLUMN c SET DEFAULT 1,
            DROP CONSTRAINT t_c_check, ALTER CONSTRAINT t_fk DEFERRABLE, ALTER COLUMN c DROP IDENTITY IF EXISTS;
        """) == [])
    }

    /// A table counts as new only after its CREATE TABLE, and names resolve like PostgreSQL does.
    @Test func tablesCreatedInTheSameFile() {
        #expect(found("DROP TABLE t;\nCREATE TABLE t (id int);") == ["drop-table@2:1"])
        #expect(found("CREATE TABLE public.\"Audit\" (id int);\nCREATE INDEX ON \"Audit\" (id);") == [])
        #expect(found("CREATE TABLE a.t (id int);\nCREATE INDEX ON b.t (id);") == ["index-not-concurrent@3:1"])
        // Unquoted names fold to lower case: User is "user", not "User".
        #expect(found("CREATE TABLE \"User\" (id int);\nCREATE INDEX ON User (id);") == ["index-not-concurrent@3:1"])
        #expect(found("CREATE TABLE IF NOT EXISTS t (id int);\nALTER TABLE t RENAME TO u;\nALTER TABLE u ADD c int NOT NULL;") == [])
    }

    @Test func notNullDetails() {
        #expect(found(#"ALTER TABLE t ADD COLUMN id INTEGER PRIMARY KEY;"#) == ["not-null-without-default@2:15", "index-not-concurrent@2:15"])
        #expect(found(#"ALTER TABLE t ADD COLUMN c TEXT UNIQUE;"#) == ["index-not-concurrent@2:15"])
        #expect(found(#"ALTER TABLE t ADD COLUMN c TEXT NOT NULL GENERATED ALWAYS AS (upper(d)) STORED;"#) == [])
        #expect(found(#"ALTER TABLE t ADD COLUMN c BOOLEAN DEFAULT (d IS NOT NULL);"#) == [])
        #expect(found(#"ALTER TABLE t ADD COLUMN c TEXT COLLATE "C" NOT NULL;"#) == ["not-null-without-default@2:15"])
    }

    @Test func constraintDetails() {
        #expect(found(#"ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;"#) == [])
        #expect(found(#"ALTER TABLE t ADD PRIMARY KEY (id);"#) == ["index-not-concurrent@2:15"])
        #expect(found(#"ALTER TABLE t ADD FOREIGN KEY (u) REFERENCES u (id) NOT VALID;"#) == [])
        #expect(found(#"ALTER TABLE t VALIDATE CONSTRAINT t_u_fkey;"#) == [])
        #expect(found(#"ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID, ADD CONSTRAINT d CHECK (y > 0);"#) == ["constraint-not-valid@2:57"])
    }

    @Test func renamesOfOtherObjects() {
        #expect(found(#"ALTER VIEW v RENAME TO w;"#) == ["rename@2:14"])
        #expect(found(#"ALTER SEQUENCE IF EXISTS s RENAME TO t;"#) == ["rename@2:28"])
        // An index this file created may be renamed: no release uses it yet.
        #expect(found("CREATE INDEX i ON t (c);\nALTER INDEX i RENAME TO j;") == ["index-not-concurrent@2:1"])
        #expect(found(#"ALTER TYPE "Role" ADD VALUE 'GUEST';"#) == [])
    }

    @Test func statementsInsideFunctionBodiesAreNotJudged() {
        let sql = """
        CREATE OR REPLACE FUNCTION cleanup() RETURNS void LANGUAGE sql
        BEGIN ATOMIC
          DELETE FROM t WHERE false;
          SELECT CASE WHEN true THEN 1 END;
        END;
        DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;
        """
        #expect(found(sql) == [])
    }
}
