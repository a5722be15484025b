/// What a migration does to the release before it, which keeps running against the new schema until
/// promotion and again after a rollback.
public struct MigrationClass: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Only adds (nullable columns, tables, concurrent indexes): the release before reads it fine.
        case expand
        /// Drops, renames, type changes, NOT NULL without default — or declared `-- cutover:contract`:
        /// the release before cannot read the schema afterwards.
        case contract
        /// A breaking change accepted on purpose with `-- cutover:allow <rule>`.
        case allowed
    }

    public var kind: Kind
    /// The rules that made it contract or allowed (`drop-column`, ...).
    public var rules: [String]
    /// The migration says it is a contract migration (`-- cutover:contract`).
    public var declared: Bool
    /// With `-- cutover:contract after R`: the release whose code no longer needs what it removes.
    public var preparedBy: String?

    public init(kind: Kind, rules: [String] = [], declared: Bool = false, preparedBy: String? = nil) {
        self.kind = kind
        self.rules = rules
        self.declared = declared
        self.preparedBy = preparedBy
    }

    /// `contract (drop-column)`, `allowed (rename)`, `expand`.
    public var summary: String {
        kind.rawValue + (rules.isEmpty ? "" : " (\(rules.joined(separator: ", ")))") + (declared ? " declared" : "")
            + (preparedBy.map { " after \($0)" } ?? "")
    }
}

extension MigrationLinter {
    /// The rules whose findings break the release before (the others lock tables or slow a deploy,
    /// which matters, but leaves the old code able to read the schema).
    static let contractRules: Set<String> = ["drop-table", "drop-column", "rename", "alter-column-type", "not-null-without-default"]

    /// The marker a deliberate contract migration carries: `-- cutover:contract [after RELEASE]`.
    public static let contractMarker = "cutover:contract"

    /// Classifies one migration file's text.
    public static func classify(sql: String, file: String) -> MigrationClass {
        let findings = lint(sql: sql, file: file).filter { contractRules.contains($0.rule) }
        if let declaration = declaredContract(in: sql) {
            return MigrationClass(kind: .contract, rules: unique(findings.map(\.rule)), declared: true, preparedBy: declaration.preparedBy)
        }
        let breaking = findings.filter { !$0.suppressed }
        if !breaking.isEmpty { return MigrationClass(kind: .contract, rules: unique(breaking.map(\.rule))) }
        if !findings.isEmpty { return MigrationClass(kind: .allowed, rules: unique(findings.map(\.rule))) }
        return MigrationClass(kind: .expand)
    }

    /// `-- cutover:contract` or `-- cutover:contract after r5` on a line of its own.
    static func declaredContract(in sql: String) -> (preparedBy: String?, line: Int)? {
        for (index, line) in sql.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("--") else { continue }
            let words = text.dropFirst(2).split(whereSeparator: \.isWhitespace)
            guard words.first?.lowercased() == contractMarker else { continue }
            if words.count >= 3, words[1].lowercased() == "after" { return (String(words[2]), index + 1) }
            return (nil, index + 1)
        }
        return nil
    }

    private static func unique(_ rules: [String]) -> [String] {
        var seen: [String] = []
        for rule in rules where !seen.contains(rule) { seen.append(rule) }
        return seen
    }
}
