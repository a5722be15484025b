import CutoverLint
import Testing

@Suite("Statement splitting")
struct StatementSplitterTests {
    private func firstWords(_ sql: String) -> [String] {
        SQLLexer.statements(sql).map { $0.tokens[0].text }
    }

    @Test func splitsOnlyAtTopLevelSemicolons() {
        let sql = """
        SELECT ';', E'\\';', ";", $$;$$, $t$;$t$, f(1; 2); -- ;
        /* ; */ ALTER TABLE t ADD c int;
        CREATE TABLE u (a int)
        """
        let statements = SQLLexer.statements(sql)
        #expect(statements.map { $0.tokens[0].text } == ["SELECT", "ALTER", "CREATE"])
        #expect(statements.map(\.line) == [1, 2, 3])
        #expect(statements[1].column == 9)
        #expect(statements.map(\.endLine) == [1, 2, 3])
    }

    @Test func emptyStatementsAndCommentOnlyFilesGiveNothing() {
        #expect(SQLLexer.statements(";;  ;\n-- only a comment\n/* and another */").isEmpty)
        #expect(firstWords(";;SELECT 1;;").count == 1)
    }

    @Test func beginAtomicBodiesStayInTheirFunction() {
        let sql = """
        CREATE FUNCTION f() RETURNS int LANGUAGE sql
        BEGIN ATOMIC
          SELECT 1;
          SELECT CASE WHEN true THEN 2 END;
        END;
        SELECT 3;
        """
        let statements = SQLLexer.statements(sql)
        #expect(statements.map(\.line) == [1, 6])
        #expect(statements[0].endLine == 5)
    }

    @Test func commentsAttachToTheStatementTheyDescribe() {
        let sql = """
        -- above the first
        SELECT 1; -- trailing the first
        -- above the second
        SELECT /* inside the second */ 2;
        -- after everything
        """
        let statements = SQLLexer.statements(sql)
        #expect(statements.map { $0.comments.map(\.text) } == [
            ["-- above the first", "-- trailing the first"],
            ["-- above the second", "/* inside the second */"],
        ])
    }

    @Test func aTrailingCommentBelongsToTheLastStatementEndingOnItsLine() {
        let statements = SQLLexer.statements("SELECT 1; SELECT 2; -- note\nSELECT 3;")
        #expect(statements.map(\.comments.count) == [0, 1, 0])
    }
}
