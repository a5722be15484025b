/// A compiled Mustache template: the subset of the Mustache spec cutover's templates use — variables
/// (`{{name}}`, `{{a.b}}`, `{{.}}`), unescaped variables (`{{{name}}}`, `{{&name}}`), sections and
/// inverted sections, partials with standalone indentation, comments and pragmas (ignored: escaping is
/// chosen by the caller). Standalone tag lines are removed as the spec says. Set-delimiter tags and
/// lambdas are not supported and are reported as errors.
public struct Template: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case variable(path: [String], escaped: Bool, line: Int)
        case section(path: [String], inverted: Bool, body: [Node], line: Int)
        case partial(name: String, indentation: String, line: Int)
    }

    let nodes: [Node]

    /// Parses `source`; errors name the line. `delimiters` replaces `{{`/`}}` for a whole file: the
    /// Ansible playbooks use `<%`/`%>`, so Jinja's own `{{ }}` passes through untouched.
    public init(_ source: String, delimiters: (open: String, close: String) = ("{{", "}}")) throws(TemplateError) {
        nodes = try TemplateParser(source, open: Array(delimiters.open.utf8), close: Array(delimiters.close.utf8)).parse()
    }
}

/// A template that cannot be parsed or rendered.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

/// Tokenizes with the standalone-line rules, then builds the section tree.
private struct TemplateParser {
    enum Token {
        case text(String)
        case tag(kind: Character?, content: String, line: Int, standaloneIndent: String?)
    }

    let source: [UInt8]
    let open: [UInt8]
    let close: [UInt8]

    init(_ source: String, open: [UInt8], close: [UInt8]) {
        self.source = Array(source.utf8)
        self.open = open
        self.close = close
    }

    func parse() throws(TemplateError) -> [Template.Node] {
        var tokens = try tokenize()[...]
        let nodes = try build(&tokens, closing: nil)
        return nodes
    }

    /// Splits the source into text and tags. A line holding only whitespace and one non-variable tag is
    /// "standalone": its whitespace and line break disappear (a partial keeps the indentation to apply).
    private func tokenize() throws(TemplateError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        var line = 1
        var text: [UInt8] = []
        // Whether the current line already holds a tag: a second tag on a line is never standalone.
        var lineHasTag = false
        let openText = String(decoding: open, as: UTF8.self)
        while index < source.count {
            if source[index] == open[0], index + open.count <= source.count, Array(source[index..<(index + open.count)]) == open {
                let tagLine = line
                var start = index + open.count
                var closeSequence: [UInt8] = close
                var kind: Character? = nil
                if start < source.count {
                    let marker = Character(UnicodeScalar(source[start]))
                    if "#^/>!&{%=".contains(marker) {
                        kind = marker
                        start += 1
                        if marker == "{" { closeSequence = close + [close.last!] }
                    }
                }
                guard let end = find(closeSequence, from: start) else {
                    throw TemplateError(line: tagLine, message: "a tag opened with \(openText) is never closed")
                }
                let content = String(decoding: source[start..<end], as: UTF8.self).trimmingSpaces
                if kind == "=" {
                    throw TemplateError(line: tagLine, message: "set-delimiter tags are not supported")
                }
                for byte in source[index..<end] where byte == UInt8(ascii: "\n") { line += 1 }
                let after = end + closeSequence.count

                // Standalone: the tag is alone on its line, with only whitespace around it.
                var standaloneIndent: String? = nil
                var resume = after
                if let kind, "#^/>!%".contains(kind), !lineHasTag {
                    let lineStart = text.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
                    let before = text[lineStart...]
                    var scan = after
                    while scan < source.count, source[scan] == 0x20 || source[scan] == 0x09 { scan += 1 }
                    let afterIsBlank = scan == source.count || source[scan] == UInt8(ascii: "\n")
                        || (source[scan] == UInt8(ascii: "\r") && scan + 1 < source.count && source[scan + 1] == UInt8(ascii: "\n"))
                    if before.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) && afterIsBlank {
                        standaloneIndent = String(decoding: before, as: UTF8.self)
                        text.removeSubrange(lineStart...)
                        if scan < source.count {
                            scan += source[scan] == UInt8(ascii: "\r") ? 2 : 1
                            line += 1
                        }
                        resume = scan
                    }
                }
                lineHasTag = standaloneIndent == nil
                if !text.isEmpty {
                    tokens.append(.text(String(decoding: text, as: UTF8.self)))
                    text.removeAll(keepingCapacity: true)
                }
                tokens.append(.tag(kind: kind, content: content, line: tagLine, standaloneIndent: standaloneIndent))
                index = resume
            } else {
                if source[index] == UInt8(ascii: "\n") {
                    line += 1
                    lineHasTag = false
                }
                text.append(source[index])
                index += 1
            }
        }
        if !text.isEmpty { tokens.append(.text(String(decoding: text, as: UTF8.self))) }
        return tokens
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= source.count {
            if source[index] == needle[0] && Array(source[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    private func build(_ tokens: inout ArraySlice<Token>, closing: (name: String, line: Int)?) throws(TemplateError) -> [Template.Node] {
        var nodes: [Template.Node] = []
        while let token = tokens.popFirst() {
            switch token {
            case .text(let text):
                nodes.append(.text(text))
            case .tag(let kind, let content, let line, let indent):
                switch kind {
                case nil, "&", "{":
                    nodes.append(.variable(path: try path(content, line), escaped: kind == nil, line: line))
                case "#", "^":
                    let body = try build(&tokens, closing: (content, line))
                    nodes.append(.section(path: try path(content, line), inverted: kind == "^", body: body, line: line))
                case "/":
                    guard let closing else {
                        throw TemplateError(line: line, message: "{{/\(content)}} closes a section that was never opened")
                    }
                    guard closing.name == content else {
                        throw TemplateError(line: line, message: "{{/\(content)}} closes the section {{#\(closing.name)}} opened at line \(closing.line)")
                    }
                    return nodes
                case ">":
                    nodes.append(.partial(name: content, indentation: indent ?? "", line: line))
                default:
                    break  // comments and pragmas
                }
            }
        }
        if let closing {
            throw TemplateError(line: closing.line, message: "the section {{#\(closing.name)}} is never closed")
        }
        return nodes
    }

    private func path(_ content: String, _ line: Int) throws(TemplateError) -> [String] {
        if content == "." { return ["."] }
        let parts = content.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if content.isEmpty || parts.contains(where: { $0.isEmpty || $0.contains(" ") || $0.contains("(") }) {
            throw TemplateError(line: line, message: "'\(content)' is not a name (write {{name}} or {{a.b}})")
        }
        return parts
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " || view.first == "\t" { view.removeFirst() }
        while view.last == " " || view.last == "\t" { view.removeLast() }
        return String(view)
    }
}
