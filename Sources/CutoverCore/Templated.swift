/// A config string that may hold placeholders (`{env}`, `{sport}`, `{service}`, `{system}`), kept with
/// where it was written so that a value that is only wrong after expansion is reported at its source.
struct Templated {
    var raw: String
    var location: SourceLocation
    var path: String
    var kind: ValueKind

    /// Expands the placeholders with `variables` and checks the result against `kind`.
    /// Returns nil (with a diagnostic) when a placeholder is unknown or the result is not valid.
    func expand(_ variables: [String: String], context: String, sink: DiagnosticSink) -> String? {
        // Scanned as UTF-8: the braces are ASCII, so every index found is a character boundary, and
        // there is no grapheme breaking (a large config expands tens of thousands of values).
        let utf8 = raw.utf8
        var result = ""
        var rest = utf8.startIndex
        while let open = utf8[rest...].firstIndex(of: UInt8(ascii: "{")) {
            result += raw[rest..<open]
            let close = utf8[open...].firstIndex(of: UInt8(ascii: "}"))
            let name = close.map { String(raw[utf8.index(after: open)..<$0]) }
            // Free text (playbook variables) may hold braces of its own, e.g. Jinja: only the known
            // placeholders are expanded there, and anything else is kept as written.
            if kind == .text {
                if let close, let name, let value = variables[name] {
                    result += value
                    rest = utf8.index(after: close)
                } else {
                    result += "{"
                    rest = utf8.index(after: open)
                }
                continue
            }
            guard let close, let name else {
                sink.error(location, path, "has a '{' without a closing '}'", hint: "write placeholders as {env}, {sport}, {service} or {system}")
                return nil
            }
            guard let value = variables[name] else {
                let known = variables.keys.sorted().map { "{\($0)}" }.joined(separator: ", ")
                sink.error(location, path, "uses the placeholder {\(name)}, which is not defined here",
                           hint: known.isEmpty ? "write the value without placeholders" : "placeholders available here: \(known)")
                return nil
            }
            result += value
            rest = utf8.index(after: close)
        }
        result += raw[rest...]
        if let problem = kind.problem(with: result) {
            let shown = result == raw ? quoted(raw) : "\(quoted(raw)) (\(context): \(quoted(result)))"
            sink.error(location, path, "\(shown) \(problem)", hint: "write \(kind.expectation)")
            return nil
        }
        return result
    }
}
