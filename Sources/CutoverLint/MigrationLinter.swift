/// The blue/green safety lint of Prisma migration SQL.
///
/// In a blue/green release the old release keeps running against the new schema until promotion,
/// and again after a rollback, so a release migration may only expand the schema. The lint finds
/// the statements that would break the old release or lock its tables, each with the expand/contract
/// way to make the change instead.
public enum MigrationLinter {
    /// Every rule, in the order findings on the same spot are listed.
    static let allRules: [any LintRule] = [
        DropTableRule(),
        DropColumnRule(),
        RenameRule(),
        AlterColumnTypeRule(),
        NotNullWithoutDefaultRule(),
        VolatileDefaultRule(),
        IndexNotConcurrentRule(),
        ConstraintNotValidRule(),
        MissingLockTimeoutRule(),
    ]

    /// Every rule's id and a one-line summary, for `--help`.
    public static let rules: [(id: String, summary: String)] = allRules.map { ($0.id, $0.summary) }

    /// The findings for one migration file's text, in source order, suppressed ones included
    /// (marked). Pure: `file` is only copied into the findings.
    public static func lint(sql: String, file: String) -> [LintFinding] {
        let migration = ParsedMigration(sql: sql)
        let known = Set(allRules.map(\.id))
        let allowed = migration.entries.map { Suppression.allowedRules(in: $0.statement.comments, known: known) }
        let ranked = allRules.enumerated().flatMap { rank, rule in
            rule.check(migration).map { hit in
                (rank, LintFinding(
                    rule: rule.id, file: file, line: hit.token.line, column: hit.token.column,
                    message: hit.message, fix: hit.fix,
                    suppressed: Suppression.allows(allowed[hit.statement], rule.id)
                ))
            }
        }
        return ranked.sorted { ($0.1.line, $0.1.column, $0.0) < ($1.1.line, $1.1.column, $1.0) }.map(\.1)
    }
}
