/// One check of the lint. Its `id` is stable: suppressions, `--json` and scripts name it.
protocol LintRule: Sendable {
    /// Stable identifier, e.g. `drop-column`. Never renamed once released.
    var id: String { get }
    /// One line for `--help`: what the rule catches and why it hurts.
    var summary: String { get }
    /// Every problem of this kind in the file.
    func check(_ migration: ParsedMigration) -> [RuleHit]
}

/// A problem a rule found, before suppressions and file names are applied.
struct RuleHit: Equatable {
    /// Index of the statement in `ParsedMigration.entries`.
    var statement: Int
    /// Where the finding points.
    var token: SQLToken
    /// What is wrong, naming the objects involved.
    var message: String
    /// The expand/contract way to get the same change.
    var fix: String
}

/// A rule that judges each statement on its own (with what the file did before it).
protocol StatementRule: LintRule {
    func check(_ entry: ParsedMigration.Entry) -> [Problem]
}

/// What a `StatementRule` reports for one statement.
struct Problem {
    var token: SQLToken
    var message: String
    var fix: String
}

extension StatementRule {
    func check(_ migration: ParsedMigration) -> [RuleHit] {
        migration.entries.enumerated().flatMap { index, entry in
            check(entry).map { RuleHit(statement: index, token: $0.token, message: $0.message, fix: $0.fix) }
        }
    }
}

/// Tokens back to readable SQL for messages: `ALTER TABLE "User" DROP COLUMN "name"`.
enum SQLText {
    static func render(_ tokens: some Collection<SQLToken>, limit: Int = 100) -> String {
        var text = ""
        var previous: SQLToken?
        for token in tokens {
            let glued = token.isSymbol(",") || token.isSymbol(")") || token.isSymbol(".") || token.isSymbol("(")
                || previous?.isSymbol("(") == true || previous?.isSymbol(".") == true
            if previous != nil, !glued { text += " " }
            text += token.text
            previous = token
            if text.count > limit { return String(text.prefix(limit)) + "..." }
        }
        return text
    }

    /// `an index`, `a type`.
    static func article(_ noun: String) -> String {
        ("aeiou".contains(noun.first ?? "x") ? "an " : "a ") + noun
    }

    /// Names for a message: `"a", "b"`.
    static func list(_ names: [ObjectName]) -> String {
        names.map(\.source).joined(separator: ", ")
    }
}
