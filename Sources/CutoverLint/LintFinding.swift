/// One unsafe change the lint found in a migration file.
public struct LintFinding: Sendable, Equatable, CustomStringConvertible {
    /// The rule's stable id, e.g. `drop-column` (see `MigrationLinter.rules`).
    public var rule: String
    /// The migration file, as the caller named it.
    public var file: String
    /// 1-based line of the offending statement or clause.
    public var line: Int
    /// 1-based column of the offending statement or clause.
    public var column: Int
    /// What is wrong, naming the objects involved.
    public var message: String
    /// The expand/contract way to make the same change safely.
    public var fix: String
    /// Accepted by a `-- cutover:allow <rule>` comment: reported, but does not fail the lint.
    public var suppressed: Bool

    /// Creates a finding.
    public init(rule: String, file: String, line: Int, column: Int, message: String, fix: String, suppressed: Bool = false) {
        self.rule = rule
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix
        self.suppressed = suppressed
    }

    /// `file:line:column: rule: message` (with ` (allowed)` when suppressed), like a compiler diagnostic.
    public var description: String {
        "\(file):\(line):\(column): \(rule): \(message)" + (suppressed ? " (allowed)" : "")
    }
}
