/// Reads a statement's tokens front to back for the command parser.
struct TokenCursor {
    let tokens: ArraySlice<SQLToken>
    private(set) var index: Int

    init(_ tokens: ArraySlice<SQLToken>) {
        self.tokens = tokens
        self.index = tokens.startIndex
    }

    var isAtEnd: Bool { index >= tokens.endIndex }

    /// The token `offset` places ahead, if any.
    func peek(_ offset: Int = 0) -> SQLToken? {
        index + offset < tokens.endIndex ? tokens[index + offset] : nil
    }

    /// The tokens from here to the end.
    var rest: ArraySlice<SQLToken> { tokens[min(index, tokens.endIndex)...] }

    /// Whether the next tokens are exactly these keywords.
    func at(_ keywords: String...) -> Bool {
        keywords.enumerated().allSatisfy { peek($0.offset)?.isKeyword($0.element) == true }
    }

    /// Consumes the keywords if the next tokens are exactly these; reports whether it did.
    @discardableResult
    mutating func accept(_ keywords: String...) -> Bool {
        guard keywords.enumerated().allSatisfy({ peek($0.offset)?.isKeyword($0.element) == true }) else { return false }
        index += keywords.count
        return true
    }

    /// Consumes one token.
    @discardableResult
    mutating func advance() -> SQLToken? {
        guard let token = peek() else { return nil }
        index += 1
        return token
    }

    /// Consumes a possibly qualified name (`a`, `"A"`, `s."A"`, `db.s.a`); `nil`, consuming nothing,
    /// when the next token is not an identifier.
    mutating func name() -> ObjectName? {
        guard let first = peek(), let firstPart = first.identifier else { return nil }
        var parts = [firstPart]
        var source = first.text
        index += 1
        while let dot = peek(), dot.isSymbol("."), let next = peek(1), let part = next.identifier {
            parts.append(part)
            source += "." + next.text
            index += 2
        }
        let name = parts.removeLast()
        return ObjectName(schema: parts.last, name: name, source: source)
    }

    /// Consumes a comma-separated list of names.
    mutating func names() -> [ObjectName] {
        var names: [ObjectName] = []
        while let name = name() {
            names.append(name)
            guard peek()?.isSymbol(",") == true else { break }
            advance()
        }
        return names
    }
}

extension ArraySlice<SQLToken> {
    /// Whether the keywords appear in this order, adjacent, outside any parentheses.
    func containsTopLevel(_ keywords: String...) -> Bool {
        firstTopLevel(keywords) != nil
    }

    /// Index of the first top-level occurrence of the adjacent keywords.
    func firstTopLevel(_ keywords: [String]) -> Int? {
        var depth = 0
        for i in indices {
            let token = self[i]
            if token.isSymbol("(") { depth += 1 }
            if token.isSymbol(")") { depth = Swift.max(0, depth - 1) }
            guard depth == 0 else { continue }
            let matches = keywords.enumerated().allSatisfy { offset, keyword in
                i + offset < endIndex && self[i + offset].isKeyword(keyword)
            }
            if matches { return i }
        }
        return nil
    }

    /// The slice cut at top-level commas: `ADD a int, DROP b` into its two actions.
    func splitTopLevel(at symbol: Character) -> [ArraySlice<SQLToken>] {
        var parts: [ArraySlice<SQLToken>] = []
        var depth = 0
        var start = startIndex
        for i in indices {
            let token = self[i]
            if token.isSymbol("(") { depth += 1 }
            if token.isSymbol(")") { depth = Swift.max(0, depth - 1) }
            if depth == 0, token.isSymbol(symbol) {
                parts.append(self[start..<i])
                start = i + 1
            }
        }
        parts.append(self[start..<endIndex])
        return parts.filter { !$0.isEmpty }
    }
}
