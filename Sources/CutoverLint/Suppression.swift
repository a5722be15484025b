/// `-- cutover:allow <rule-id>[, <rule-id> ...]` or `-- cutover:allow all`: a reviewed exception.
///
/// A directive covers one statement: the one whose comments it is among (see `SQLStatement.comments`:
/// the lines above it since the previous statement, inside it, or after its semicolon on its last
/// line). Anything after the ids is free text, so a reason can follow:
/// `-- cutover:allow drop-column: unused since 2.3`.
enum Suppression {
    static let marker = "cutover:allow"
    static let everyRule = "all"

    /// The rule ids the comments allow (`all` stands for every rule).
    static func allowedRules(in comments: [SQLToken], known: Set<String>) -> Set<String> {
        var allowed: Set<String> = []
        for comment in comments {
            // Both `--` and `/*` are two characters; a block comment also loses its `*/`.
            var body = Substring(comment.text).dropFirst(2)
            if comment.kind == .blockComment, body.hasSuffix("*/") { body = body.dropLast(2) }
            let words = body.split(whereSeparator: { $0 == "," || $0.isWhitespace })
            guard let first = words.first, first.lowercased() == marker else { continue }
            for word in words.dropFirst() {
                let id = word.lowercased().trimmingSuffix(":").trimmingSuffix(".")
                guard id == everyRule || known.contains(id) else { break }
                allowed.insert(id)
            }
        }
        return allowed
    }

    /// Whether `rule` is among the `allowed` ids.
    static func allows(_ allowed: Set<String>, _ rule: String) -> Bool {
        allowed.contains(rule) || allowed.contains(everyRule)
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
