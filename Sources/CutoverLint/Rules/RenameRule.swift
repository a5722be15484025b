/// `rename`: the old release still uses the old name of a renamed table, column or constraint.
struct RenameRule: StatementRule {
    let id = "rename"
    let summary = "ALTER ... RENAME: the old release still uses the old name, and Aurora blue/green replication breaks on renames"

    private let fix = "Expand/contract: add the new name next to the old one (a new column or table that both releases write and a backfill fills, or a view under the new name), move the code over, and remove the old name \(Wording.laterContract)"

    func check(_ entry: ParsedMigration.Entry) -> [Problem] {
        switch entry.command {
        case .alterTable(let table, let actions) where !entry.isNew(table):
            return actions.compactMap { action in
                guard case .rename(let what, _) = action.kind else { return nil }
                return Problem(
                    token: action.token,
                    message: "ALTER TABLE \(table.source) \(SQLText.render(action.tokens)) renames a \(what) the old release still uses by its old name: \(Wording.oldRelease); Aurora blue/green replication also breaks on renames",
                    fix: fix
                )
            }
        case .alterOther(let kind, let name, let rename?):
            if kind == "INDEX", let name, entry.newIndexes.containsMatch(name) { return [] }
            return [Problem(
                token: rename,
                message: "\(SQLText.render(entry.statement.tokens)) renames \(renamed(kind: kind, after: rename, in: entry.statement)) the old release may still use by its old name: \(Wording.oldRelease); Aurora blue/green replication also breaks on renames",
                fix: fix
            )]
        default:
            return []
        }
    }

    /// `ALTER TYPE t RENAME VALUE` renames an enum value, `ALTER VIEW v RENAME COLUMN` a column.
    private func renamed(kind: String, after rename: SQLToken, in statement: SQLStatement) -> String {
        let tokens = statement.tokens
        guard let at = tokens.firstIndex(of: rename), at + 1 < tokens.count else { return SQLText.article(kind.lowercased()) }
        if tokens[at + 1].isKeyword("VALUE") { return "an enum value" }
        if tokens[at + 1].isKeyword("ATTRIBUTE") { return "an attribute" }
        if tokens[at + 1].isKeyword("COLUMN") { return "a column" }
        return SQLText.article(kind.lowercased())
    }
}
