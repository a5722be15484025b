/// Recognizes the statements the rules judge, from their leading keywords only.
///
/// Looking only at how a statement starts is what keeps the rules honest: `DROP COLUMN` inside a
/// function body, a string or a `CREATE TABLE` column list is never the start of a statement.
enum CommandParser {
    static func parse(_ statement: SQLStatement) -> Command {
        var cursor = TokenCursor(statement.tokens[...])
        if cursor.accept("CREATE") { return create(&cursor) }
        if cursor.accept("DROP") { return drop(&cursor) }
        if cursor.accept("ALTER") { return alter(&cursor) }
        if cursor.at("SET") || cursor.at("RESET") { return setting(&cursor) }
        if cursor.at("SELECT") { return setConfig(statement.tokens[...]) }
        for keyword in ["COMMIT", "END", "ROLLBACK", "ABORT"] where cursor.at(keyword) {
            return cursor.at("ROLLBACK", "TO") ? .other : .transactionEnd
        }
        return .other
    }

    // MARK: - CREATE

    private static func create(_ cursor: inout TokenCursor) -> Command {
        cursor.accept("OR", "REPLACE")
        _ = cursor.accept("GLOBAL") || cursor.accept("LOCAL")
        _ = cursor.accept("TEMP") || cursor.accept("TEMPORARY") || cursor.accept("UNLOGGED")
        if cursor.accept("TABLE") {
            cursor.accept("IF", "NOT", "EXISTS")
            return cursor.name().map(Command.createTable) ?? .other
        }
        cursor.accept("UNIQUE")
        guard cursor.accept("INDEX") else { return .other }
        let concurrently = cursor.accept("CONCURRENTLY")
        cursor.accept("IF", "NOT", "EXISTS")
        let name = cursor.at("ON") ? nil : cursor.name()
        guard cursor.accept("ON") else { return .createIndex(.init(name: name, table: nil, concurrently: concurrently)) }
        cursor.accept("ONLY")
        return .createIndex(.init(name: name, table: cursor.name(), concurrently: concurrently))
    }

    // MARK: - DROP

    private static func drop(_ cursor: inout TokenCursor) -> Command {
        if cursor.accept("TABLE") {
            cursor.accept("IF", "EXISTS")
            let names = cursor.names()
            return names.isEmpty ? .other : .dropTable(names)
        }
        if cursor.accept("INDEX") {
            let concurrently = cursor.accept("CONCURRENTLY")
            cursor.accept("IF", "EXISTS")
            return .dropIndex(.init(names: cursor.names(), concurrently: concurrently))
        }
        return .other
    }

    // MARK: - ALTER

    private static func alter(_ cursor: inout TokenCursor) -> Command {
        guard cursor.accept("TABLE") else {
            let kind = cursor.advance()?.text.uppercased() ?? ""
            cursor.accept("IF", "EXISTS")
            let name = cursor.name()
            let rest = cursor.rest
            let rename = rest.firstTopLevel(["RENAME"]).map { rest[$0] }
            return .alterOther(kind: kind, name: name, rename: rename)
        }
        cursor.accept("IF", "EXISTS")
        cursor.accept("ONLY")
        guard let table = cursor.name() else { return .other }
        if cursor.peek()?.isSymbol("*") == true { cursor.advance() }
        let actions = cursor.rest.splitTopLevel(at: ",").map(alterTableAction)
        return .alterTable(table: table, actions: actions)
    }

    private static func alterTableAction(_ tokens: ArraySlice<SQLToken>) -> AlterTableAction {
        var cursor = TokenCursor(tokens)
        let kind: AlterTableAction.Kind
        if cursor.accept("ADD") {
            kind = add(&cursor)
        } else if cursor.accept("DROP") {
            kind = dropAction(&cursor)
        } else if cursor.accept("ALTER") {
            kind = alterColumn(&cursor)
        } else if cursor.accept("RENAME") {
            kind = rename(&cursor)
        } else if cursor.accept("VALIDATE", "CONSTRAINT") {
            kind = .validateConstraint(name: cursor.name())
        } else {
            kind = .other
        }
        return AlterTableAction(kind: kind, tokens: tokens)
    }

    private static let constraintStarts = ["CONSTRAINT", "CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE"]

    private static func add(_ cursor: inout TokenCursor) -> AlterTableAction.Kind {
        if !cursor.at("COLUMN"), constraintStarts.contains(where: { cursor.at($0) }) {
            return .addConstraint(tableConstraint(&cursor))
        }
        cursor.accept("COLUMN")
        cursor.accept("IF", "NOT", "EXISTS")
        guard let name = cursor.peek(), name.identifier != nil else { return .other }
        cursor.advance()
        return .addColumn(name: name, definition: cursor.rest)
    }

    private static func tableConstraint(_ cursor: inout TokenCursor) -> TableConstraint {
        let name = cursor.accept("CONSTRAINT") ? cursor.name() : nil
        let kind: TableConstraint.Kind =
            cursor.at("CHECK") ? .check
            : cursor.at("FOREIGN") ? .foreignKey
            : cursor.at("UNIQUE") ? .unique
            : cursor.at("PRIMARY") ? .primaryKey
            : .exclude
        let rest = cursor.rest
        return TableConstraint(
            kind: kind, name: name,
            notValid: rest.containsTopLevel("NOT", "VALID"),
            usingIndex: rest.containsTopLevel("USING", "INDEX")
        )
    }

    private static func dropAction(_ cursor: inout TokenCursor) -> AlterTableAction.Kind {
        // DROP DEFAULT / NOT NULL / IDENTITY only exist after ALTER [COLUMN] c, which alterColumn reads.
        if cursor.at("CONSTRAINT") { return .other }
        cursor.accept("COLUMN")
        cursor.accept("IF", "EXISTS")
        guard let name = cursor.peek(), name.identifier != nil else { return .other }
        return .dropColumn(name: name)
    }

    private static func alterColumn(_ cursor: inout TokenCursor) -> AlterTableAction.Kind {
        if cursor.at("CONSTRAINT") { return .other }
        cursor.accept("COLUMN")
        guard let name = cursor.peek(), name.identifier != nil else { return .other }
        cursor.advance()
        if cursor.at("TYPE") || cursor.at("SET", "DATA", "TYPE") { return .alterColumnType(name: name) }
        if cursor.at("SET", "NOT", "NULL") { return .setNotNull(name: name) }
        return .other
    }

    private static func rename(_ cursor: inout TokenCursor) -> AlterTableAction.Kind {
        if cursor.accept("TO") { return .rename(what: "table", to: cursor.name()) }
        let what = cursor.accept("CONSTRAINT") ? "constraint" : "column"
        cursor.accept("COLUMN")
        cursor.advance()
        return .rename(what: what, to: cursor.accept("TO") ? cursor.name() : nil)
    }

    // MARK: - Settings

    private static func setting(_ cursor: inout TokenCursor) -> Command {
        if cursor.accept("RESET") {
            return cursor.at("LOCK_TIMEOUT") || cursor.at("ALL") ? .setLockTimeout(enabled: false, local: false) : .other
        }
        cursor.accept("SET")
        let local = cursor.accept("LOCAL")
        cursor.accept("SESSION")
        guard cursor.accept("LOCK_TIMEOUT") else { return .other }
        if !cursor.accept("TO"), cursor.peek()?.isSymbol("=") == true { cursor.advance() }
        guard let value = cursor.peek() else { return .other }
        return .setLockTimeout(enabled: timeoutEnabled(value), local: local)
    }

    /// `SELECT set_config('lock_timeout', '5s', is_local)`.
    private static func setConfig(_ tokens: ArraySlice<SQLToken>) -> Command {
        guard let call = tokens.indices.first(where: { tokens[$0].isKeyword("SET_CONFIG") && $0 + 6 <= tokens.endIndex }),
              tokens[call + 1].isSymbol("("),
              tokens[call + 2].stringValue?.lowercased() == "lock_timeout",
              tokens[call + 3].isSymbol(","),
              tokens[call + 5].isSymbol(",")
        else { return .other }
        let local = call + 6 < tokens.endIndex && tokens[call + 6].isKeyword("TRUE")
        return .setLockTimeout(enabled: timeoutEnabled(tokens[call + 4]), local: local)
    }

    /// A lock_timeout value of 0 (in any unit) or DEFAULT means "wait forever".
    private static func timeoutEnabled(_ value: SQLToken) -> Bool {
        if value.isKeyword("DEFAULT") { return false }
        let text = value.stringValue ?? value.text
        let digits = text.drop(while: { $0 == " " }).prefix(while: { $0.isNumber || $0 == "." })
        guard let number = Double(digits) else { return true }
        return number > 0
    }
}
