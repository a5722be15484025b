/// `index-not-concurrent`: an index built or dropped under a lock that blocks the live release, or
/// a CONCURRENTLY statement that cannot run because its file holds other statements.
struct IndexNotConcurrentRule: LintRule {
    let id = "index-not-concurrent"
    let summary = "CREATE/DROP INDEX without CONCURRENTLY on an existing table (blocks writes), or CONCURRENTLY in a file with other statements (fails in Prisma's transaction)"

    func check(_ migration: ParsedMigration) -> [RuleHit] {
        let alone = migration.entries.count == 1
        return migration.entries.enumerated().flatMap { index, entry in
            problems(entry, alone: alone).map {
                RuleHit(statement: index, token: $0.token, message: $0.message, fix: $0.fix)
            }
        }
    }

    private func problems(_ entry: ParsedMigration.Entry, alone: Bool) -> [Problem] {
        let first = entry.statement.tokens[0]
        // `CREATE UNIQUE INDEX "User_email_key"`: the statement up to ON, for messages.
        var head: String { SQLText.render(entry.statement.tokens.prefix { !$0.isKeyword("ON") }) }
        switch entry.command {
        case .createIndex(let index):
            if index.concurrently { return alone ? [] : [notAlone(first, head: head)] }
            // An index on a table this file creates is built while the table is still empty and unused.
            guard let table = index.table, !entry.isNew(table) else { return [] }
            return [Problem(
                token: first,
                message: "\(head) ON \(table.source) without CONCURRENTLY blocks every write to \(table.source) (SHARE lock) for as long as the index takes to build",
                fix: "Use \(concurrently(entry.statement.tokens)) \(Wording.concurrentlyAlone)"
            )]
        case .dropIndex(let index):
            if index.concurrently { return alone ? [] : [notAlone(first, head: head)] }
            let existing = index.names.filter { !entry.newIndexes.containsMatch($0) }
            guard !existing.isEmpty else { return [] }
            return [Problem(
                token: first,
                message: "DROP INDEX \(SQLText.list(existing)) without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table, blocking its reads and writes",
                fix: "Use DROP INDEX CONCURRENTLY (one index per statement) \(Wording.concurrentlyAlone)"
            )]
        case .alterTable(let table, let actions) where !entry.isNew(table):
            return actions.compactMap { action in
                let kind: String
                switch action.kind {
                case .addConstraint(let constraint) where !constraint.usingIndex && constraint.kind == .unique:
                    kind = "UNIQUE constraint"
                case .addConstraint(let constraint) where !constraint.usingIndex && constraint.kind == .primaryKey:
                    kind = "PRIMARY KEY constraint"
                case .addColumn(let column, let definition) where ColumnDefinition(definition).indexed:
                    kind = "column \(column.text) with a UNIQUE or PRIMARY KEY constraint"
                default:
                    return nil
                }
                return Problem(
                    token: action.token,
                    message: "ALTER TABLE \(table.source) adds a \(kind), building its index under an ACCESS EXCLUSIVE lock that blocks reads and writes of \(table.source)",
                    fix: "Build the index first with CREATE UNIQUE INDEX CONCURRENTLY \(Wording.concurrentlyAlone); then ADD CONSTRAINT ... UNIQUE (or PRIMARY KEY) USING INDEX in a later migration"
                )
            }
        default:
            return []
        }
    }

    private func notAlone(_ token: SQLToken, head: String) -> Problem {
        Problem(
            token: token,
            message: "\(head) shares its migration file with other statements: Prisma runs a migration file as one transaction and PostgreSQL refuses CONCURRENTLY inside one (\"cannot run inside a transaction block\"), so the deploy fails",
            fix: "Move it into a migration file that holds that statement alone, not even with SET lock_timeout (set that on the migration's database role instead)"
        )
    }

    /// `CREATE UNIQUE INDEX x` as `CREATE UNIQUE INDEX CONCURRENTLY x`, for the fix.
    private func concurrently(_ tokens: [SQLToken]) -> String {
        let head = tokens.prefix { !$0.isKeyword("ON") }
        guard let index = head.firstIndex(where: { $0.isKeyword("INDEX") }) else { return SQLText.render(head) }
        return [SQLText.render(head[...index]), "CONCURRENTLY", SQLText.render(head[(index + 1)...])]
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}
