/// Escaping for every context cutover writes values into. Config validation already restricts values to
/// safe characters; these functions are the second fence and are total: any input, however hostile,
/// comes out as inert text of its context.
public enum Escape {
    /// The body of a Groovy single-quoted string literal (`'...'`). Single-quoted Groovy strings do not
    /// interpolate `$`, so only the backslash, the quote and line breaks need care.
    public static func groovySingleQuoted(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    out += "\\u" + hex4(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// XML character data or an attribute value. C0 control characters other than tab and line feed have
    /// no representation every parser accepts (XML 1.0 forbids them even as references; libxml2 rejects
    /// XML 1.1 references), so they become U+FFFD; validation keeps them out of configs in the first
    /// place. CR and C1 controls (NEL would be read as a line end in XML 1.1) become references.
    public static func xmlText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            case "\u{FFFE}", "\u{FFFF}": out += "\u{FFFD}"
            default:
                if scalar.value < 0x20 {
                    out += "\u{FFFD}"
                } else if scalar.value >= 0x7f && scalar.value <= 0x9f || scalar == "\u{2028}" {
                    out += "&#\(scalar.value);"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// One POSIX shell word: bare when it holds only characters no shell treats specially, otherwise
    /// single-quoted with embedded quotes spelled `'\''`.
    public static func shellArgument(_ text: String) -> String {
        if !text.isEmpty && text.unicodeScalars.allSatisfy(isShellSafe) {
            return text
        }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func isShellSafe(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
            || "_-./:=@%+,".unicodeScalars.contains(c)
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
