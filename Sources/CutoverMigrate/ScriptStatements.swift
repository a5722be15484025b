import CutoverLint

/// A migration file cut into the statements PostgreSQL would run, each with its exact source text.
///
/// Prisma sends a whole file as one simple-query message. PostgresNIO speaks only the extended protocol,
/// which takes one statement at a time, so the executor reproduces the simple-query semantics itself:
/// a file of one statement runs on its own (so `CREATE INDEX CONCURRENTLY` alone in a file works, as with
/// Prisma); a file of several runs between BEGIN and COMMIT, as the implicit transaction would; a file
/// that manages its own transactions (BEGIN/COMMIT inside) runs statement by statement.
struct ScriptStatement: Sendable, Equatable {
    var text: String
    /// 1-based position of the statement's first character in the file.
    var line: Int
    var column: Int
    /// The statement's first keyword, uppercased (BEGIN, CREATE, ...).
    var keyword: String

    /// Line and column in the file of a 1-based character `position` inside this statement (as
    /// PostgreSQL reports error positions).
    func location(ofPosition position: Int) -> (line: Int, column: Int) {
        var line = self.line, column = self.column
        for scalar in text.unicodeScalars.prefix(max(0, position - 1)) {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    static func split(_ script: String) -> [ScriptStatement] {
        let scalars = Array(script.unicodeScalars)
        var lineStarts = [0]
        for (index, scalar) in scalars.enumerated() where scalar == "\n" { lineStarts.append(index + 1) }
        func offset(_ line: Int, _ column: Int) -> Int { min(scalars.count, lineStarts[line - 1] + column - 1) }
        return SQLLexer.statements(script).map { statement in
            let first = statement.tokens[0], last = statement.tokens[statement.tokens.count - 1]
            let start = offset(first.line, first.column)
            let end = offset(last.line, last.column) + last.text.unicodeScalars.count
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars[start..<max(start, end)])
            return ScriptStatement(text: String(text), line: first.line, column: first.column, keyword: first.text.uppercased())
        }
    }

    /// Statements that open or close a transaction: a file holding one runs without an added BEGIN.
    static let transactionControl: Set<String> = ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE"]
}
