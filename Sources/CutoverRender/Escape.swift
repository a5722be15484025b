/// Escaping for every context cutover writes values into. Config validation already restricts values to
/// safe characters; these functions are the second fence and are total: any input, however hostile,
/// comes out as inert text of its context.
///
/// They work on UTF-8 bytes and copy runs that need no escaping in one go: a render escapes megabytes
/// (every inline Jenkinsfile goes into its job's XML), and scalar-by-scalar appends dominated it.
public enum Escape {
    /// The body of a Groovy single-quoted string literal (`'...'`). Single-quoted Groovy strings do not
    /// interpolate `$`, so only the backslash, the quote, line breaks and other controls need care.
    public static func groovySingleQuoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendGroovySingleQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `groovySingleQuoted`, appended to a UTF-8 buffer (the template renderer's output).
    static func appendGroovySingleQuoted(_ text: String, to out: inout [UInt8]) {
        transform(text, into: &out, special: groovySpecial) { byte, next, next2 in
            switch byte {
            case UInt8(ascii: "\\"): return .replace("\\\\")
            case UInt8(ascii: "'"): return .replace("\\'")
            case UInt8(ascii: "\n"): return .replace("\\n")
            case UInt8(ascii: "\r"): return .replace("\\r")
            case UInt8(ascii: "\t"): return .replace("\\t")
            case 0..<0x20, 0x7f: return .replace("\\u" + hex4(UInt32(byte)))
            // U+2028 and U+2029 (E2 80 A8/A9): line terminators to some tools reading the file.
            case 0xE2 where next == 0x80 && (next2 == 0xA8 || next2 == 0xA9):
                return .replaceSkipping(next2 == 0xA8 ? "\\u2028" : "\\u2029", 2)
            default: return .keep
            }
        }
    }

    /// XML character data or an attribute value. C0 control characters other than tab and line feed have
    /// no representation every parser accepts (XML 1.0 forbids them even as references; libxml2 rejects
    /// XML 1.1 references), so they become U+FFFD; validation keeps them out of configs in the first
    /// place. CR and C1 controls (NEL would be read as a line end in XML 1.1) become references.
    public static func xmlText(_ text: String) -> String {
        var out: [UInt8] = []
        appendXMLText(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `xmlText`, appended to a UTF-8 buffer (the template renderer's output).
    /// A YAML double-quoted scalar with its quotes: `\` and `"` escaped, every control character,
    /// DEL, C1, line/paragraph separators and bidi controls as `\uXXXX`, so the value is one plain
    /// string whatever it holds. (Jinja does not see it as code either: playbooks mark such values
    /// `!unsafe`.)
    public static func yamlDoubleQuoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendYAMLDoubleQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendYAMLDoubleQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: Array("\\\\".utf8))
            case "\"": out.append(contentsOf: Array("\\\"".utf8))
            default:
                let value = scalar.value
                if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                    || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0xFEFF {
                    out.append(contentsOf: Array(("\\u" + String(format: "%04X", value)).utf8))
                } else {
                    out.append(contentsOf: Array(String(scalar).utf8))
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func appendXMLText(_ text: String, to out: inout [UInt8]) {
        transform(text, into: &out, special: xmlSpecial) { byte, next, next2 in
            switch byte {
            case UInt8(ascii: "&"): return .replace("&amp;")
            case UInt8(ascii: "<"): return .replace("&lt;")
            case UInt8(ascii: ">"): return .replace("&gt;")
            case UInt8(ascii: "\""): return .replace("&quot;")
            case UInt8(ascii: "'"): return .replace("&apos;")
            case UInt8(ascii: "\n"), UInt8(ascii: "\t"): return .keep
            case UInt8(ascii: "\r"): return .replace("&#13;")
            case 0..<0x20: return .replace("\u{FFFD}")
            case 0x7f: return .replace("&#127;")
            // U+0080..U+009F are C2 80..C2 9F.
            case 0xC2 where next.map { $0 >= 0x80 && $0 <= 0x9F } ?? false:
                return .replaceSkipping("&#\(next!);", 1)
            case 0xE2 where next == 0x80 && next2 == 0xA8: return .replaceSkipping("&#8232;", 2)
            // U+FFFE and U+FFFF (EF BF BE/BF) are not characters.
            case 0xEF where next == 0xBF && (next2 == 0xBE || next2 == 0xBF): return .replaceSkipping("\u{FFFD}", 2)
            default: return .keep
            }
        }
    }

    /// One POSIX shell word: bare when it holds only characters no shell treats specially, otherwise
    /// single-quoted with embedded quotes spelled `'\''`.
    public static func shellArgument(_ text: String) -> String {
        if !text.isEmpty && text.utf8.allSatisfy(isShellSafe) {
            return text
        }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func isShellSafe(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "_-./:=@%+,".utf8.contains(c)
        }
    }

    private enum Action {
        case keep
        case replace(String)
        /// Replace this byte and the next `n` bytes.
        case replaceSkipping(String, Int)
    }

    /// The bytes `appendGroovySingleQuoted`'s rule may change: the only ones it is asked about.
    private static let groovySpecial = SpecialBytes { byte in
        byte < 0x20 || byte == 0x7f || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "'") || byte == 0xE2
    }

    /// The bytes `appendXMLText`'s rule may change (tab and line feed are kept as they are).
    private static let xmlSpecial = SpecialBytes { byte in
        (byte < 0x20 && byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\t")) || byte == 0x7f
            || "&<>\"'".utf8.contains(byte) || byte == 0xC2 || byte == 0xE2 || byte == 0xEF
    }

    /// A byte set as a 256-entry table. Nearly every byte of a rendered file needs no escaping, so the
    /// scan between special bytes is one table load per byte instead of a call to the rule.
    private struct SpecialBytes: Sendable {
        let table: [Bool]

        init(_ isSpecial: (UInt8) -> Bool) {
            table = (0...255).map { isSpecial(UInt8($0)) }
        }
    }

    /// Scans UTF-8 bytes; bytes the rule keeps are copied in runs. Multi-byte rules see the next two
    /// bytes. The rule is asked only about bytes in `special`; every other byte is kept.
    @inline(__always)
    private static func transform(_ text: String, into out: inout [UInt8], special: SpecialBytes,
                                  _ rule: (UInt8, UInt8?, UInt8?) -> Action) {
        var text = text
        text.withUTF8 { bytes in
            out.reserveCapacity(out.count + bytes.count + bytes.count / 8 + 16)
            special.table.withUnsafeBufferPointer { table in
                var runStart = 0
                var index = 0
                let count = bytes.count
                while index < count {
                    if !table[Int(bytes[index])] {
                        index += 1
                        continue
                    }
                    let action = rule(bytes[index], index + 1 < count ? bytes[index + 1] : nil, index + 2 < count ? bytes[index + 2] : nil)
                    switch action {
                    case .keep:
                        index += 1
                    case .replace(let replacement), .replaceSkipping(let replacement, _):
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                        out.append(contentsOf: replacement.utf8)
                        if case .replaceSkipping(_, let skip) = action { index += skip }
                        index += 1
                        runStart = index
                    }
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
            }
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
