/// The one definition of a release name, shared by the CLI (`--release`), the rendered Jenkins pipelines
/// (their `RELEASE` check), cutover's playbooks (`cutover_release`) and the AWS tags (`cutover:release`).
///
/// A release name becomes a tag value, a directory on every host, a Jenkins parameter and a word in shell
/// commands, so the set is the intersection of what all of those take safely: no quote, `$`, space, `/`,
/// brace or line break can appear, and 100 characters stay well inside AWS's 256 for a tag value.
public enum ReleaseName {
    /// The allowed set as a regular expression (full match), written the same way in the pipeline
    /// templates and the playbooks; a test keeps them in step with this.
    public static let pattern = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}"

    public static let maximumLength = 100

    /// The allowed set in words, for messages that say how to fix a name.
    public static let expectation = "1 to 100 letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. 2026.11.28-1)"

    /// Why `name` is not a release name, or nil when it is one.
    public static func validate(_ name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "is empty" }
        // Every allowed character is ASCII, so the scalar count is the length AWS counts.
        let count = name.unicodeScalars.count
        if count > maximumLength { return "is \(count) characters long" }
        guard ValueKind.isAlnum(first) else { return "must start with a letter or digit" }
        if let bad = name.unicodeScalars.first(where: { !(ValueKind.isAlnum($0) || $0 == "." || $0 == "_" || $0 == "-") }) {
            return "contains \(ValueKind.show(bad))"
        }
        return nil
    }
}
