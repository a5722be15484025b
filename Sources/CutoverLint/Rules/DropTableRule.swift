/// `drop-table`: the old release still reads and writes a dropped table.
struct DropTableRule: StatementRule {
    let id = "drop-table"
    let summary = "DROP TABLE: the old release still uses the table, and Aurora blue/green replication breaks on drops"

    func check(_ entry: ParsedMigration.Entry) -> [Problem] {
        guard case .dropTable(let names) = entry.command else { return [] }
        let existing = names.filter { !entry.isNew($0) }
        guard !existing.isEmpty else { return [] }
        return [Problem(
            token: entry.statement.tokens[0],
            message: "DROP TABLE \(SQLText.list(existing)) removes \(existing.count == 1 ? "a table" : "tables") the old release still reads and writes: \(Wording.oldRelease); Aurora blue/green replication also breaks on dropped tables",
            fix: "Expand/contract: stop using the table in this release and drop it \(Wording.laterContract)"
        )]
    }
}
