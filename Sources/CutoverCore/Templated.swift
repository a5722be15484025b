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
        var result = ""
        var rest = Substring(raw)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            // Free text (playbook variables) may hold braces of its own, e.g. Jinja: only the known
            // placeholders are expanded there, and anything else is kept as written.
            if kind == .text {
                let close = rest[open...].firstIndex(of: "}")
                let name = close.map { String(rest[rest.index(after: open)..<$0]) }
                if let close, let name, let value = variables[name] {
                    result += value
                    rest = rest[rest.index(after: close)...]
                } else {
                    result += "{"
                    rest = rest[rest.index(after: open)...]
                }
                continue
            }
            guard let close = rest[open...].firstIndex(of: "}") else {
                sink.error(location, path, "has a '{' without a closing '}'", hint: "write placeholders as {env}, {sport}, {service} or {system}")
                return nil
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = variables[name] else {
                let known = variables.keys.sorted().map { "{\($0)}" }.joined(separator: ", ")
                sink.error(location, path, "uses the placeholder {\(name)}, which is not defined here",
                           hint: known.isEmpty ? "write the value without placeholders" : "placeholders available here: \(known)")
                return nil
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        if let problem = kind.problem(with: result) {
            let shown = result == raw ? quoted(raw) : "\(quoted(raw)) (\(context): \(quoted(result)))"
            sink.error(location, path, "\(shown) \(problem)", hint: "write \(kind.expectation)")
            return nil
        }
        return result
    }
}
