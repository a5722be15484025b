/// A position in a config file, as people and editors count it (1-based line and column).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in a config: where, what is wrong, and what to write instead.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    /// The dotted path of the offending key, e.g. `services.frontend.kind`.
    public var path: String
    public var message: String
    /// What to write instead. Every diagnostic has one: an error nobody can act on is a bug.
    public var hint: String

    public init(location: SourceLocation, path: String, message: String, hint: String) {
        self.location = location
        self.path = path
        self.message = message
        self.hint = hint
    }

    public var description: String {
        let subject = path.isEmpty ? "" : "\(path): "
        return "\(location): error: \(subject)\(message)\n  hint: \(hint)"
    }
}

/// Collects diagnostics so that validation reports every problem at once, not just the first.
final class DiagnosticSink {
    private(set) var diagnostics: [Diagnostic] = []
    private var seen: Set<Diagnostic> = []

    func error(_ location: SourceLocation, _ path: String, _ message: String, hint: String) {
        report(Diagnostic(location: location, path: path, message: message, hint: hint))
    }

    func report(_ diagnostic: Diagnostic) {
        // The same templated value is checked once per environment and sport; say it once.
        if seen.insert(diagnostic).inserted {
            diagnostics.append(diagnostic)
        }
    }

    var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            let l = lhs.element.location, r = rhs.element.location
            return (l.line, l.column, lhs.offset) < (r.line, r.column, rhs.offset)
        }.map(\.element)
    }
}

/// Quotes a value from the config for a message: control characters escaped, long values shortened,
/// so that a hostile value cannot rewrite the terminal or hide the rest of the report.
func quoted(_ value: String, limit: Int = 60) -> String {
    var out = ""
    for scalar in value.unicodeScalars.prefix(limit) {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "'": out += "\\'"
        default:
            // Control and format characters (bidi overrides, zero-width) could disguise the report.
            let category = scalar.properties.generalCategory
            if [.control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .privateUse, .surrogate].contains(category) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    let more = value.unicodeScalars.count - limit
    return "'\(out)'" + (more > 0 ? "… (\(value.unicodeScalars.count) characters)" : "")
}
