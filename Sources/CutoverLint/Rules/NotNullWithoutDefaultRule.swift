/// `not-null-without-default`: a NOT NULL the old release's inserts cannot satisfy, or a
/// SET NOT NULL that scans the whole table under lock.
struct NotNullWithoutDefaultRule: StatementRule {
    let id = "not-null-without-default"
    let summary = "ADD COLUMN ... NOT NULL without DEFAULT, or SET NOT NULL: the old release's inserts fail, and SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock"

    func check(_ entry: ParsedMigration.Entry) -> [Problem] {
        guard case .alterTable(let table, let actions) = entry.command, !entry.isNew(table) else { return [] }
        return actions.compactMap { action in
            switch action.kind {
            case .addColumn(let column, let definition):
                let column = (name: column.text, definition: ColumnDefinition(definition))
                // Generated, identity and serial columns are filled by the database, not by inserts.
                guard column.definition.notNull, !column.definition.hasNonNullDefault,
                      !column.definition.generated, !column.definition.isSerial else { return nil }
                return Problem(
                    token: action.token,
                    message: "ALTER TABLE \(table.source) adds column \(column.name) NOT NULL without a DEFAULT: the old release does not know the column, so its inserts fail (and on a table with rows the ALTER itself fails)",
                    fix: "Add the column nullable, or NOT NULL with a constant DEFAULT (PostgreSQL 11+ adds that without a rewrite); to end up NOT NULL without a default, backfill and tighten it in a later contract release"
                )
            case .setNotNull(let column):
                return Problem(
                    token: action.token,
                    message: "ALTER TABLE \(table.source) sets column \(column.text) NOT NULL: PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock, and \(Wording.oldRelease), possibly still writing NULLs",
                    fix: "Expand/contract: add CHECK (\(column.text) IS NOT NULL) NOT VALID, backfill, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL in the contract release (PostgreSQL 12+ skips the scan when a valid CHECK proves it)"
                )
            default:
                return nil
            }
        }
    }
}
