/// `constraint-not-valid`: a foreign key or check validated against every row while writes wait.
struct ConstraintNotValidRule: StatementRule {
    let id = "constraint-not-valid"
    let summary = "ADD CONSTRAINT ... FOREIGN KEY / CHECK without NOT VALID on an existing table (or VALIDATE in the same file): checks every row while writes are blocked"

    func check(_ entry: ParsedMigration.Entry) -> [Problem] {
        // A table created in this file is empty: validating it costs nothing.
        guard case .alterTable(let table, let actions) = entry.command, !entry.isNew(table) else { return [] }
        return actions.compactMap { action in
            switch action.kind {
            case .addConstraint(let constraint) where !constraint.notValid && (constraint.kind == .foreignKey || constraint.kind == .check):
                let kind = constraint.kind == .foreignKey ? "FOREIGN KEY" : "CHECK"
                let name = constraint.name.map { " \($0.source)" } ?? ""
                let locked = constraint.kind == .foreignKey ? "\(table.source) and the referenced table" : table.source
                return Problem(
                    token: action.token,
                    message: "ALTER TABLE \(table.source) adds \(kind) constraint\(name) without NOT VALID: PostgreSQL checks every existing row while holding a lock that blocks writes to \(locked)",
                    fix: "Add it with NOT VALID (new and updated rows are checked at once), then ALTER TABLE \(table.source) VALIDATE CONSTRAINT\(name) in a later migration, which does not block writes"
                )
            case .validateConstraint(let name?) where entry.notValidConstraints.containsMatch(name):
                // The file is one transaction: the lock ADD CONSTRAINT took is held through the whole scan.
                return Problem(
                    token: action.token,
                    message: "ALTER TABLE \(table.source) validates constraint \(name.source) in the same migration that adds it NOT VALID: Prisma runs the file as one transaction, so the lock taken by ADD CONSTRAINT blocks writes for the whole validation",
                    fix: "Move VALIDATE CONSTRAINT \(name.source) to a later migration file"
                )
            default:
                return nil
            }
        }
    }
}
