/// A command line a pipeline runs with `sh`. Literal words are shell-quoted; values that come from build
/// parameters are referenced as `"$NAME"` so that the shell, not Groovy, expands them: nothing a user
/// types into a parameter is ever interpolated into the script text.
public struct ShellCommand: Sendable, Equatable {
    public enum Word: Sendable, Equatable {
        case literal(String)
        case environment(String)
    }

    public var words: [Word]

    public init(_ words: [Word]) {
        self.words = words
    }

    /// The command as shell text.
    public var text: String {
        var text = ""
        for word in words {
            if !text.isEmpty { text += " " }
            switch word {
            case .literal(let literal): text += Escape.shellArgument(literal)
            case .environment(let name): text += "\"$" + Self.identifier(name) + "\""
            }
        }
        return text
    }

    /// A shell variable name: anything else would end the double quotes around it.
    static func identifier(_ name: String) -> String {
        if name.unicodeScalars.allSatisfy(ValueChars.isIdentifier) { return name }
        return String(name.unicodeScalars.map { ValueChars.isIdentifier($0) ? Character($0) : "_" })
    }

    /// Appends `> file`; used to keep a dry-run plan for the approval message.
    public func redirected(to file: String) -> String {
        text + " > " + Escape.shellArgument(file)
    }
}

extension ShellCommand.Word: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .literal(value)
    }
}

enum ValueChars {
    static func isIdentifier(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
    }
}
