import CutoverLint
import Testing

/// `missing-lock-timeout`: which statements need a lock_timeout, and which settings count as one.
@Suite("Lock timeout")
struct LockTimeoutTests {
    private let alter = #"ALTER TABLE "User" ADD COLUMN "n" TEXT;"#

    @Test(arguments: [
        "SET lock_timeout = '5s';",
        "SET lock_timeout TO 5000;",
        "set local LOCK_TIMEOUT = '2s';",
        "SET SESSION lock_timeout = '1min';",
        "SELECT set_config('lock_timeout', '5s', true);",
    ])
    func aTimeoutBeforeTheLockCounts(setting: String) {
        #expect(places(setting + "\n" + alter) == [])
    }

    @Test(arguments: [
        "",
        "SET lock_timeout = 0;",
        "SET lock_timeout = '0';",
        "SET lock_timeout TO DEFAULT;",
        "SET statement_timeout = '5s';",
        "-- SET lock_timeout = '5s';",
        "SELECT 'SET lock_timeout = 5s';",
        "SET lock_timeout = '5s'; RESET lock_timeout;",
        "SET LOCAL lock_timeout = '5s'; COMMIT;",
        "SELECT set_config('lock_timeout', '0', false);",
    ])
    func noTimeoutInForceIsFound(setting: String) {
        #expect(places(setting + "\n" + alter) == ["missing-lock-timeout@2:1"])
    }

    @Test func aTimeoutSetAfterTheLockIsTooLate() {
        #expect(places(alter + "\nSET lock_timeout = '5s';\n" + alter) == ["missing-lock-timeout@1:1"])
    }

    @Test func onlyOneFindingPerFile() {
        #expect(places([alter, #"DROP TABLE "Old";"#, alter].joined(separator: "\n")) == ["missing-lock-timeout@1:1", "drop-table@2:1"])
    }

    @Test func statementsThatLockAnExistingTable() {
        #expect(places(#"CREATE INDEX "i" ON "User"("n");"#) == ["index-not-concurrent@1:1", "missing-lock-timeout@1:1"])
        #expect(places(#"DROP INDEX "i";"#) == ["index-not-concurrent@1:1", "missing-lock-timeout@1:1"])
        #expect(places(#"DROP TABLE "Old";"#) == ["drop-table@1:1", "missing-lock-timeout@1:1"])
        #expect(places(#"ALTER TABLE "User" DROP CONSTRAINT "c";"#) == ["missing-lock-timeout@1:1"])
    }

    @Test func statementsThatDoNot() {
        let sql = """
        CREATE TABLE "New" ("id" INTEGER NOT NULL);
        ALTER TABLE "New" ADD CONSTRAINT "New_id_fkey" FOREIGN KEY ("id") REFERENCES "User"("id");
        CREATE INDEX "New_id_idx" ON "New"("id");
        DROP INDEX "New_id_idx";
        INSERT INTO "User" ("n") VALUES ('x');
        UPDATE "User" SET "n" = 'y';
        CREATE TYPE "Mood" AS ENUM ('happy');
        """
        #expect(places(sql) == [])
    }
}
