/// `volatile-default`: a new column whose default differs per row rewrites the whole table.
///
/// Since PostgreSQL 11 a new column's default is stored once in the catalog and existing rows are
/// not touched, but only when the default is non-volatile. `now()` and `CURRENT_TIMESTAMP` are
/// STABLE (one value per transaction), so they are safe; the functions below are VOLATILE.
struct VolatileDefaultRule: StatementRule {
    let id = "volatile-default"
    let summary = "ADD COLUMN with a volatile DEFAULT (clock_timestamp(), random(), gen_random_uuid(), nextval(), serial, identity): rewrites the table under an ACCESS EXCLUSIVE lock"

    /// VOLATILE functions people put in defaults (`pg_proc.provolatile = 'v'`).
    static let volatileFunctions: Set = [
        "clock_timestamp", "timeofday", "random", "random_normal", "gen_random_uuid",
        "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7", "nextval",
    ]

    func check(_ entry: ParsedMigration.Entry) -> [Problem] {
        guard case .alterTable(let table, let actions) = entry.command, !entry.isNew(table) else { return [] }
        return actions.compactMap { action in
            guard case .addColumn(let column, let tokens) = action.kind else { return nil }
            let definition = ColumnDefinition(tokens)
            let volatile: String
            var fix = "Add the column without the default (a constant or now()/CURRENT_TIMESTAMP default is fine), set the volatile default with a separate ALTER COLUMN ... SET DEFAULT (which only affects new rows), and backfill existing rows in batches"
            if let call = Self.volatileCall(in: definition.defaultExpression) {
                volatile = "the volatile default \(call)()"
            } else if definition.isSerial || definition.identity {
                volatile = definition.isSerial
                    ? "type \(definition.type?.text ?? "serial"), whose default is the volatile nextval()"
                    : "an identity, whose values come from the volatile nextval()"
                fix = "Add a plain integer column, then CREATE SEQUENCE and ALTER COLUMN ... SET DEFAULT nextval(...) in a separate statement (which only affects new rows), and backfill existing rows in batches"
            } else {
                return nil
            }
            return Problem(
                token: action.token,
                message: "ALTER TABLE \(table.source) adds column \(column.text) with \(volatile): PostgreSQL evaluates it for every existing row, rewriting the whole table under an ACCESS EXCLUSIVE lock",
                fix: fix
            )
        }
    }

    /// The first volatile function called in `expression`, as written.
    static func volatileCall(in expression: ArraySlice<SQLToken>) -> String? {
        for i in expression.indices where i + 1 < expression.endIndex && expression[i + 1].isSymbol("(") {
            if let name = expression[i].identifier, volatileFunctions.contains(name) { return expression[i].text }
        }
        return nil
    }
}
