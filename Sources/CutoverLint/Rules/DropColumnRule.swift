/// `drop-column`: the old release still reads and writes a dropped column.
struct DropColumnRule: StatementRule {
    let id = "drop-column"
    let summary = "ALTER TABLE ... DROP [COLUMN]: the old release still uses the column, and Aurora blue/green replication breaks on drops"

    func check(_ entry: ParsedMigration.Entry) -> [Problem] {
        guard case .alterTable(let table, let actions) = entry.command, !entry.isNew(table) else { return [] }
        return actions.compactMap { action in
            guard case .dropColumn(let column) = action.kind else { return nil }
            return Problem(
                token: action.token,
                message: "ALTER TABLE \(table.source) drops column \(column.text), which the old release still reads and writes: \(Wording.oldRelease); Aurora blue/green replication also breaks on dropped columns",
                fix: "Expand/contract: stop reading and writing the column in this release (make it nullable or give it a default first if it is NOT NULL) and drop it \(Wording.laterContract)"
            )
        }
    }
}
