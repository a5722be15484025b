/// The parts of an `ADD COLUMN` definition (`TEXT NOT NULL DEFAULT 'x'`) the column rules judge.
struct ColumnDefinition {
    /// The column's type name as written (its first token).
    var type: SQLToken?
    /// The DEFAULT expression, empty when there is none.
    var defaultExpression: ArraySlice<SQLToken>
    /// `NOT NULL` or `PRIMARY KEY` (which implies it).
    var notNull: Bool
    /// `UNIQUE` or `PRIMARY KEY`: adding the column builds an index.
    var indexed: Bool
    /// `GENERATED ... AS IDENTITY` or `GENERATED ALWAYS AS (...) STORED`: the database fills it.
    var generated: Bool
    /// `GENERATED ... AS IDENTITY`.
    var identity: Bool

    /// Keywords that start a column constraint, and so end a DEFAULT expression.
    private static let constraintStarts: Set = [
        "CONSTRAINT", "NOT", "NULL", "CHECK", "DEFAULT", "GENERATED", "UNIQUE", "PRIMARY", "REFERENCES", "COLLATE",
    ]

    init(_ tokens: ArraySlice<SQLToken>) {
        type = tokens.first
        var defaultRange = tokens.endIndex..<tokens.endIndex
        let defaultKeyword = tokens.firstTopLevel(["DEFAULT"])
        if let start = defaultKeyword, start + 1 < tokens.endIndex {
            // The expression's first token always belongs to it (`DEFAULT NULL`); after that it
            // runs to the next top-level constraint keyword.
            var end = start + 1
            var depth = 0
            while end < tokens.endIndex {
                let token = tokens[end]
                if end > start + 1, depth == 0, token.kind == .word, Self.constraintStarts.contains(token.text.uppercased()) { break }
                if token.isSymbol("(") { depth += 1 }
                if token.isSymbol(")") { depth = max(0, depth - 1) }
                end += 1
            }
            defaultRange = start + 1..<end
        }
        defaultExpression = tokens[defaultRange]
        // NOT NULL inside the default expression (`DEFAULT x IS NOT NULL`) says nothing about the column.
        let outside = [tokens[..<(defaultKeyword ?? tokens.endIndex)], tokens[defaultRange.upperBound...]]
        notNull = outside.contains { $0.containsTopLevel("NOT", "NULL") || $0.containsTopLevel("PRIMARY", "KEY") }
        indexed = outside.contains { $0.containsTopLevel("UNIQUE") || $0.containsTopLevel("PRIMARY", "KEY") }
        generated = tokens.containsTopLevel("GENERATED")
        identity = tokens.containsTopLevel("AS", "IDENTITY")
    }

    /// A DEFAULT that yields a value: `DEFAULT NULL` leaves NOT NULL columns just as empty.
    var hasNonNullDefault: Bool {
        guard let first = defaultExpression.first else { return false }
        return !first.isKeyword("NULL")
    }

    /// `serial` and friends: an integer column whose default is `nextval()`.
    var isSerial: Bool {
        guard let type, type.kind == .word else { return false }
        return ["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"].contains(type.text.lowercased())
    }
}
