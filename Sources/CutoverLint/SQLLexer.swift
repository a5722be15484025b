/// Tokenizes PostgreSQL source text.
///
/// It knows exactly as much of PostgreSQL's lexical grammar as it takes to keep comments, literals,
/// quoted identifiers and dollar-quoted bodies whole: the lint must never see a keyword that is
/// really inside one of them. It never fails; unterminated constructs run to the end of the text
/// (PostgreSQL would reject such a file anyway).
public enum SQLLexer {
    /// Every token of `sql` in source order, comments included.
    public static func tokenize(_ sql: String) -> [SQLToken] {
        var scanner = Scanner(Array(sql.unicodeScalars))
        var tokens: [SQLToken] = []
        while let token = scanner.next() {
            tokens.append(token)
        }
        return tokens
    }

    /// `sql` split into statements at top-level semicolons, each with its comments attached.
    public static func statements(_ sql: String) -> [SQLStatement] {
        StatementSplitter.split(tokenize(sql))
    }
}

/// The character-level state machine behind `SQLLexer.tokenize`.
private struct Scanner {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    mutating func next() -> SQLToken? {
        skipWhitespace()
        guard let current = peek() else { return nil }
        let start = index, startLine = line, startColumn = column
        let kind: SQLToken.Kind
        switch current {
        case "-" where peek(1) == "-":
            while let scalar = peek(), !isNewline(scalar) { advance() }
            kind = .lineComment
        case "/" where peek(1) == "*":
            scanBlockComment()
            kind = .blockComment
        case "'":
            scanQuoted("'", backslashEscapes: false)
            kind = .string
        case _ where (current == "e" || current == "E") && peek(1) == "'":
            advance()
            scanQuoted("'", backslashEscapes: true)
            kind = .string
        case "\"":
            scanQuoted("\"", backslashEscapes: false)
            kind = .quotedIdentifier
        case "$":
            kind = scanDollar()
        case _ where isIdentifierStart(current):
            while let scalar = peek(), isIdentifierPart(scalar) { advance() }
            kind = .word
        case _ where isDigit(current) || (current == "." && peek(1).map(isDigit) == true):
            // Loose on purpose: exponents, `1_000` and `0x1F` all stay one token.
            while let scalar = peek(), isDigit(scalar) || isIdentifierPart(scalar) || scalar == "." { advance() }
            kind = .number
        default:
            advance()
            kind = .punctuation
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[start..<index])
        return SQLToken(kind: kind, text: String(text), line: startLine, column: startColumn)
    }

    // MARK: - Constructs

    /// `/* ... */`, which PostgreSQL lets nest.
    private mutating func scanBlockComment() {
        advance(2)
        var depth = 1
        while depth > 0, let scalar = peek() {
            if scalar == "/", peek(1) == "*" {
                depth += 1
                advance(2)
            } else if scalar == "*", peek(1) == "/" {
                depth -= 1
                advance(2)
            } else {
                advance()
            }
        }
    }

    /// A literal or identifier closed by `quote`, where a doubled quote stands for itself.
    private mutating func scanQuoted(_ quote: Unicode.Scalar, backslashEscapes: Bool) {
        advance()
        while let scalar = peek() {
            if backslashEscapes, scalar == "\\" {
                advance(2)
            } else if scalar == quote {
                advance()
                guard peek() == quote else { return }
                advance()
            } else {
                advance()
            }
        }
    }

    /// `$1` (a parameter), `$tag$ ... $tag$` / `$$ ... $$` (a dollar-quoted body), or a lone `$`.
    private mutating func scanDollar() -> SQLToken.Kind {
        if let digit = peek(1), isDigit(digit) {
            advance()
            while let scalar = peek(), isDigit(scalar) { advance() }
            return .parameter
        }
        // The tag is an identifier without `$`; anything else means this `$` is not a quote.
        var end = index + 1
        if end < scalars.count, isIdentifierStart(scalars[end]) {
            while end < scalars.count, isIdentifierPart(scalars[end]), scalars[end] != "$" { end += 1 }
        }
        guard end < scalars.count, scalars[end] == "$" else {
            advance()
            return .punctuation
        }
        let delimiter = Array(scalars[index...end])
        advance(delimiter.count)
        while peek() != nil {
            if scalars[index...].starts(with: delimiter) {
                advance(delimiter.count)
                return .dollarString
            }
            advance()
        }
        return .dollarString
    }

    // MARK: - Position

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count {
            guard index < scalars.count else { return }
            let scalar = scalars[index]
            index += 1
            // A `\r\n` pair counts once: the `\n` ends the line.
            if scalar == "\n" || (scalar == "\r" && peek() != "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
    }

    private mutating func skipWhitespace() {
        while let scalar = peek(), scalar.properties.isWhitespace { advance() }
    }

    // MARK: - Character classes

    private func isNewline(_ scalar: Unicode.Scalar) -> Bool { scalar == "\n" || scalar == "\r" }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// PostgreSQL treats every non-ASCII character as an identifier letter.
    private func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || scalar.value >= 0x80
    }

    private func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar) || scalar == "$"
    }
}
