/// `alter-column-type`: a type change rewrites the table and changes what the old release reads.
struct AlterColumnTypeRule: StatementRule {
    let id = "alter-column-type"
    let summary = "ALTER COLUMN ... TYPE: rewrites the table under an ACCESS EXCLUSIVE lock, and the old release still expects the old type"

    func check(_ entry: ParsedMigration.Entry) -> [Problem] {
        guard case .alterTable(let table, let actions) = entry.command, !entry.isNew(table) else { return [] }
        return actions.compactMap { action in
            guard case .alterColumnType(let column) = action.kind else { return nil }
            return Problem(
                token: action.token,
                message: "ALTER TABLE \(table.source) changes the type of column \(column.text): most type changes rewrite the whole table under an ACCESS EXCLUSIVE lock, and \(Wording.oldRelease), reading and writing the old type",
                fix: "Expand/contract: add a new column of the new type, write both and backfill in batches, move reads over, and drop the old column \(Wording.laterContract)"
            )
        }
    }
}
