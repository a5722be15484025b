/// A migration file parsed once for every rule: each statement with its command and what the
/// statements before it in the same file had done.
struct ParsedMigration {
    /// One statement and the file's state just before it ran.
    struct Entry {
        var statement: SQLStatement
        var command: Command
        /// Tables created earlier in this file. The old release cannot be using them yet, so
        /// nothing done to them can break it, and they hold no rows to scan or rewrite.
        var newTables: [ObjectName]
        /// Indexes created earlier in this file.
        var newIndexes: [ObjectName]
        /// Constraints added `NOT VALID` earlier in this file.
        var notValidConstraints: [ObjectName]
        /// Whether a non-zero lock_timeout is in force.
        var lockTimeoutSet: Bool

        /// Whether `table` was created earlier in this file.
        func isNew(_ table: ObjectName?) -> Bool {
            table.map(newTables.containsMatch) ?? false
        }
    }

    var entries: [Entry]

    init(sql: String) {
        var newTables: [ObjectName] = []
        var newIndexes: [ObjectName] = []
        var notValidConstraints: [ObjectName] = []
        var sessionTimeout = false
        var localTimeout: Bool?
        entries = []
        for statement in SQLLexer.statements(sql) {
            let command = CommandParser.parse(statement)
            entries.append(Entry(statement: statement, command: command, newTables: newTables,
                                 newIndexes: newIndexes, notValidConstraints: notValidConstraints, lockTimeoutSet: localTimeout ?? sessionTimeout))
            switch command {
            case .createTable(let table):
                newTables.append(table)
            case .createIndex(let index):
                if let name = index.name { newIndexes.append(name) }
            case .alterTable(let table, let actions):
                for action in actions {
                    switch action.kind {
                    case .rename(what: "table", to: let to?) where newTables.containsMatch(table):
                        // A new table renamed in the same file is still new under its new name.
                        newTables.append(to)
                    case .addConstraint(let constraint) where constraint.notValid:
                        if let name = constraint.name { notValidConstraints.append(name) }
                    default:
                        break
                    }
                }
            case .setLockTimeout(let enabled, let local):
                if local {
                    localTimeout = enabled
                } else {
                    sessionTimeout = enabled
                    localTimeout = nil
                }
            case .transactionEnd:
                localTimeout = nil
            default:
                break
            }
        }
    }
}
