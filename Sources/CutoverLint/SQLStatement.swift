/// One SQL statement of a file, as the statement splitter cut it out.
public struct SQLStatement: Sendable, Equatable {
    /// The statement's tokens: no comments, no terminating semicolon. Never empty.
    public var tokens: [SQLToken]
    /// The comments that belong to this statement: those since the previous statement ended (the
    /// lines above it), those inside it, and those after its semicolon on the same line.
    public var comments: [SQLToken]
    /// Line of the terminating semicolon, or of the last token when the file ends without one.
    public var endLine: Int

    /// Creates a statement; `tokens` must not be empty.
    public init(tokens: [SQLToken], comments: [SQLToken], endLine: Int) {
        precondition(!tokens.isEmpty, "a statement has at least one token")
        self.tokens = tokens
        self.comments = comments
        self.endLine = endLine
    }

    /// 1-based line of the statement's first token.
    public var line: Int { tokens[0].line }
    /// 1-based column of the statement's first token.
    public var column: Int { tokens[0].column }
}

/// Cuts a token stream into statements the way psql does: at semicolons that are not inside
/// parentheses or inside a `BEGIN ATOMIC ... END` function body. Strings, comments and dollar
/// quotes are single tokens already, so their semicolons never count.
enum StatementSplitter {
    static func split(_ tokens: [SQLToken]) -> [SQLStatement] {
        var statements: [SQLStatement] = []
        var current: [SQLToken] = []
        var currentComments: [SQLToken] = []
        var pendingComments: [SQLToken] = []
        var lastEndLine: Int?
        var depth = 0
        var atomicDepth = 0

        for token in tokens {
            if token.isComment {
                if !current.isEmpty {
                    currentComments.append(token)
                } else if token.line == lastEndLine, !statements.isEmpty {
                    // `...; -- note` speaks about the statement that just ended on this line.
                    statements[statements.count - 1].comments.append(token)
                } else {
                    pendingComments.append(token)
                }
                continue
            }
            if token.isSymbol(";"), depth == 0, atomicDepth == 0 {
                if !current.isEmpty {
                    statements.append(SQLStatement(tokens: current, comments: currentComments, endLine: token.line))
                    current = []
                    currentComments = []
                    lastEndLine = token.line
                }
                continue
            }
            if current.isEmpty {
                currentComments = pendingComments
                pendingComments = []
            }
            if token.isSymbol("(") {
                depth += 1
            } else if token.isSymbol(")") {
                depth = max(0, depth - 1)
            } else if token.isKeyword("ATOMIC"), current.last?.isKeyword("BEGIN") == true, depth == 0 {
                // A SQL-standard function body holds statements of its own, ended by `;`.
                atomicDepth += 1
            } else if atomicDepth > 0, token.isKeyword("CASE") {
                atomicDepth += 1
            } else if atomicDepth > 0, token.isKeyword("END") {
                atomicDepth -= 1
            }
            current.append(token)
        }
        if let last = current.last {
            statements.append(SQLStatement(tokens: current, comments: currentComments, endLine: last.line))
        }
        return statements
    }
}
