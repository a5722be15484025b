import CutoverLint
import Testing

@Suite("SQL lexer")
struct LexerTests {
    private func kinds(_ sql: String) -> [SQLToken.Kind] {
        SQLLexer.tokenize(sql).map(\.kind)
    }

    @Test func keepsLiteralsIdentifiersAndBodiesWhole() throws {
        let tokens = SQLLexer.tokenize(#"SELECT 'it''s', E'a\'b', "Say ""hi""", $$x; y$$, $fn$ $$ $fn$, $1"#)
        try #require(tokens.count == 12)
        #expect(tokens.map(\.kind) == [
            .word, .string, .punctuation, .string, .punctuation, .quotedIdentifier, .punctuation,
            .dollarString, .punctuation, .dollarString, .punctuation, .parameter,
        ])
        #expect(tokens[1].stringValue == "it's")
        #expect(tokens[3].stringValue == "a'b")
        #expect(tokens[5].identifier == #"Say "hi""#)
        #expect(tokens[7].text == "$$x; y$$")
        #expect(tokens[9].text == "$fn$ $$ $fn$")
    }

    @Test func nestedBlockCommentsEndAtTheirOwnClose() {
        let tokens = SQLLexer.tokenize("/* a /* b */ c */ DROP -- d\nx")
        #expect(tokens.map(\.kind) == [.blockComment, .word, .lineComment, .word])
        #expect(tokens[0].text == "/* a /* b */ c */")
        #expect(tokens[2].text == "-- d")
    }

    @Test func linesAndColumnsAreOneBasedAndSurviveMultiLineTokens() {
        let sql = "SELECT 1;\n  /* two\nlines */ ALTER 'x\ny' \"q\"\r\n\tz"
        let tokens = SQLLexer.tokenize(sql)
        let positions = tokens.map { "\($0.text.prefix(2))@\($0.line):\($0.column)" }
        #expect(positions == ["SE@1:1", "1@1:8", ";@1:9", "/*@2:3", "AL@3:10", "'x@3:16", "\"q@4:4", "z@5:2"])
    }

    @Test func unquotedWordsFoldToLowerCaseAndQuotedOnesKeepTheirCase() {
        let tokens = SQLLexer.tokenize(#"User "User" DROP "drop""#)
        #expect(tokens.map(\.identifier) == ["user", "User", "drop", "drop"])
        #expect(tokens[2].isKeyword("DROP"))
        #expect(!tokens[3].isKeyword("DROP"))
    }

    @Test func dollarSignsThatAreNotQuotes() {
        // `a$b` is one identifier, `$1` a parameter, a lone `$` punctuation.
        #expect(kinds("a$b $1 $") == [.word, .parameter, .punctuation])
        #expect(SQLLexer.tokenize("a$b").first?.text == "a$b")
    }

    @Test func unterminatedConstructsRunToTheEndWithoutTrapping() {
        #expect(kinds("SELECT 'open") == [.word, .string])
        #expect(kinds("SELECT $$ open") == [.word, .dollarString])
        #expect(kinds("/* open /* nested */") == [.blockComment])
        #expect(kinds(#"SELECT "open"#) == [.word, .quotedIdentifier])
        #expect(kinds(#"E'ends in backslash \"#) == [.string])
    }

    @Test func eStringsOnlyStartWithALoneE() {
        // `name'x'` is not an E-string: a backslash in it escapes nothing.
        let tokens = SQLLexer.tokenize(#"note'a\' ; DROP"#)
        #expect(tokens.map(\.kind) == [.word, .string, .punctuation, .word])
    }
}
