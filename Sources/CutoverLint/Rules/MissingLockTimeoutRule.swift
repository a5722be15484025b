/// `missing-lock-timeout`: a lock on a live table requested with no lock_timeout.
///
/// A DDL statement waiting for its lock behind one long transaction makes every later query on the
/// table queue behind it, so the live release stalls for as long as that transaction runs. With a
/// lock_timeout the migration fails fast instead and can simply be retried.
struct MissingLockTimeoutRule: LintRule {
    let id = "missing-lock-timeout"
    let summary = "ALTER TABLE / CREATE INDEX / DROP on an existing table with no SET lock_timeout before it: a queued lock stalls every query on the table"

    func check(_ migration: ParsedMigration) -> [RuleHit] {
        // One finding per file: the first place it matters says everything.
        for (index, entry) in migration.entries.enumerated() where !entry.lockTimeoutSet {
            guard let (command, target) = lockedTable(entry) else { continue }
            return [RuleHit(
                statement: index,
                token: entry.statement.tokens[0],
                message: "\(command) locks \(target) with no lock_timeout set: while it waits behind a long transaction, every other query on the table queues behind it and the live release stalls",
                fix: "Start the file with SET lock_timeout = '5s'; (SET LOCAL works too) so the migration fails fast and can be retried instead of stalling production"
            )]
        }
        return []
    }

    /// What the statement locks, described for the message, if it takes a strong lock on an existing table.
    private func lockedTable(_ entry: ParsedMigration.Entry) -> (command: String, target: String)? {
        switch entry.command {
        case .alterTable(let table, _) where !entry.isNew(table):
            return ("ALTER TABLE", "existing table \(table.source)")
        case .createIndex(let index) where !index.concurrently:
            guard let table = index.table, !entry.isNew(table) else { return nil }
            return ("CREATE INDEX", "existing table \(table.source)")
        case .dropTable(let names):
            let existing = names.filter { !entry.isNew($0) }
            return existing.isEmpty ? nil : ("DROP TABLE", "existing table \(SQLText.list(existing))")
        case .dropIndex(let index) where !index.concurrently:
            let existing = index.names.filter { !entry.newIndexes.containsMatch($0) }
            return existing.isEmpty ? nil : ("DROP INDEX", "the table of index \(SQLText.list(existing))")
        default:
            return nil
        }
    }
}
