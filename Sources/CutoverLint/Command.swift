/// What a statement does, as far as the rules care. Anything else is `.other`.
enum Command: Sendable, Equatable {
    case createTable(ObjectName)
    case createIndex(CreateIndex)
    case dropTable([ObjectName])
    case dropIndex(DropIndex)
    case alterTable(table: ObjectName, actions: [AlterTableAction])
    /// `ALTER INDEX / SEQUENCE / TYPE / VIEW / ...`; `rename` is the `RENAME` keyword when there is one.
    case alterOther(kind: String, name: ObjectName?, rename: SQLToken?)
    /// `SET [LOCAL] lock_timeout`, `RESET lock_timeout` or `set_config('lock_timeout', ...)`;
    /// `enabled` is false when the value turns the timeout off (0, DEFAULT, RESET).
    case setLockTimeout(enabled: Bool, local: Bool)
    /// `COMMIT`, `END`, `ROLLBACK`, `ABORT`: where `SET LOCAL` values end.
    case transactionEnd
    case other

    struct CreateIndex: Sendable, Equatable {
        var name: ObjectName?
        var table: ObjectName?
        var concurrently: Bool
    }

    struct DropIndex: Sendable, Equatable {
        var names: [ObjectName]
        var concurrently: Bool
    }
}

/// One comma-separated action of an `ALTER TABLE`.
struct AlterTableAction: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `ADD [COLUMN] name type constraints...`; `definition` is everything after the name.
        case addColumn(name: SQLToken, definition: ArraySlice<SQLToken>)
        /// `ADD [CONSTRAINT name] CHECK / FOREIGN KEY / UNIQUE / PRIMARY KEY / EXCLUDE ...`.
        case addConstraint(TableConstraint)
        /// `DROP [COLUMN] [IF EXISTS] name`.
        case dropColumn(name: SQLToken)
        /// `ALTER [COLUMN] name TYPE ...` / `SET DATA TYPE ...`.
        case alterColumnType(name: SQLToken)
        /// `ALTER [COLUMN] name SET NOT NULL`.
        case setNotNull(name: SQLToken)
        /// `VALIDATE CONSTRAINT name`.
        case validateConstraint(name: ObjectName?)
        /// `RENAME TO`, `RENAME [COLUMN] a TO b`, `RENAME CONSTRAINT a TO b`; `what` says which.
        case rename(what: String, to: ObjectName?)
        /// Every other action: DROP CONSTRAINT, ALTER COLUMN ... DROP NOT NULL / SET DEFAULT, ...
        case other
    }

    var kind: Kind
    /// The action's tokens, for messages.
    var tokens: ArraySlice<SQLToken>

    /// The action's first token, where findings point.
    var token: SQLToken { tokens[tokens.startIndex] }
}

/// A table constraint being added, reduced to what decides its locking.
struct TableConstraint: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case check, foreignKey, unique, primaryKey, exclude
    }

    var kind: Kind
    var name: ObjectName?
    /// `NOT VALID`: existing rows are not checked now.
    var notValid: Bool
    /// `UNIQUE / PRIMARY KEY USING INDEX idx`: adopts an index instead of building one.
    var usingIndex: Bool
}
