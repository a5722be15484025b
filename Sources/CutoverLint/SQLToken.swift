/// One lexical token of PostgreSQL source, with where it starts.
///
/// Strings, quoted identifiers, dollar-quoted bodies and comments are single tokens, so the rules,
/// which only look at word tokens, can never mistake their contents for SQL.
public struct SQLToken: Sendable, Equatable {
    /// What kind of token this is.
    public enum Kind: Sendable, Equatable {
        /// An unquoted identifier or keyword (`ALTER`, `users`, `now`).
        case word
        /// A `"double quoted"` identifier.
        case quotedIdentifier
        /// A `'string'` or `E'escaped string'` literal.
        case string
        /// A `$$ ... $$` or `$tag$ ... $tag$` body.
        case dollarString
        /// A numeric literal.
        case number
        /// A positional parameter such as `$1`.
        case parameter
        /// A single punctuation or operator character: `(`, `)`, `,`, `;`, `.`, `=`, ...
        case punctuation
        /// A `-- ...` comment, up to (not including) the end of the line.
        case lineComment
        /// A `/* ... */` comment, nested ones included.
        case blockComment
    }

    /// The token's kind.
    public var kind: Kind
    /// The exact source text, quotes and comment markers included.
    public var text: String
    /// 1-based line of the first character.
    public var line: Int
    /// 1-based column of the first character, counted in Unicode scalars.
    public var column: Int

    /// Creates a token.
    public init(kind: Kind, text: String, line: Int, column: Int) {
        self.kind = kind
        self.text = text
        self.line = line
        self.column = column
    }

    /// True for comments, which the statement splitter keeps apart from the statement's tokens.
    public var isComment: Bool { kind == .lineComment || kind == .blockComment }

    /// Whether this is the unquoted word `keyword`, ignoring case. Quoted identifiers never match:
    /// `"drop"` names something, it is not the keyword.
    public func isKeyword(_ keyword: String) -> Bool {
        kind == .word && text.uppercased() == keyword
    }

    /// Whether this is the punctuation character `symbol`.
    public func isSymbol(_ symbol: Character) -> Bool {
        kind == .punctuation && text.first == symbol
    }

    /// The name this token denotes as PostgreSQL resolves it: unquoted words fold to lower case,
    /// quoted identifiers keep their case with `""` unescaped. `nil` for any other token.
    public var identifier: String? {
        switch kind {
        case .word:
            return text.lowercased()
        case .quotedIdentifier:
            return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        default:
            return nil
        }
    }

    /// The value of a string literal with its quotes and escapes removed; `nil` for other tokens.
    /// Only the escapes the rules need are decoded (`''`, and backslash escapes of `E''` strings).
    public var stringValue: String? {
        guard kind == .string, let quote = text.firstIndex(of: "'") else { return nil }
        let escaped = text[text.startIndex..<quote].uppercased() == "E"
        var body = Substring(text[text.index(after: quote)...])
        if body.hasSuffix("'") { body = body.dropLast() }
        var value = ""
        var iterator = body.makeIterator()
        while let character = iterator.next() {
            if character == "'" {
                _ = iterator.next()
                value.append("'")
            } else if escaped, character == "\\", let next = iterator.next() {
                value.append(next)
            } else {
                value.append(character)
            }
        }
        return value
    }
}
