/// How `{{name}}` values are escaped: chosen by the caller for the language of the output.
public enum Escaping: Sendable {
    case groovySingleQuoted
    case xml
    /// A YAML double-quoted scalar, quotes included (playbooks).
    case yamlDoubleQuoted
    case none

    func append(_ text: String, to out: inout [UInt8]) {
        switch self {
        case .groovySingleQuoted: Escape.appendGroovySingleQuoted(text, to: &out)
        case .xml: Escape.appendXMLText(text, to: &out)
        case .yamlDoubleQuoted: Escape.appendYAMLDoubleQuoted(text, to: &out)
        case .none: out.append(contentsOf: text.utf8)
        }
    }
}

/// Renders compiled templates: one output buffer, a context stack of values, partials from a library.
public struct TemplateLibrary: Sendable {
    private var templates: [String: Template] = [:]

    public init() {}

    public mutating func register(_ template: Template, named name: String) {
        templates[name] = template
    }

    public func template(named name: String) -> Template? {
        templates[name]
    }

    /// Renders the template `name` with `value` as the root context; `escape` applies to `{{name}}` tags.
    public func render(_ name: String, _ value: TemplateValue, escaping: Escaping) throws(TemplateError) -> String {
        guard let template = templates[name] else {
            throw TemplateError(line: 0, message: "no template named \(name)")
        }
        var renderer = Renderer(library: self, escaping: escaping)
        var stack = [value]
        try renderer.render(template.nodes, &stack, indentation: "", partialDepth: 0)
        return String(decoding: renderer.output, as: UTF8.self)
    }

    private struct Renderer {
        let library: TemplateLibrary
        let escaping: Escaping
        /// UTF-8 bytes: appending byte runs is what rendering megabytes of pipelines spends its time on.
        var output: [UInt8] = []
        /// True at the start of a line, where a partial's indentation goes.
        var atLineStart = true

        init(library: TemplateLibrary, escaping: Escaping) {
            self.library = library
            self.escaping = escaping
            output.reserveCapacity(64 * 1024)
        }

        mutating func render(_ nodes: [Template.Node], _ stack: inout [TemplateValue], indentation: String, partialDepth: Int) throws(TemplateError) {
            for node in nodes {
                switch node {
                case .text(let text):
                    emit(text, indentation: indentation)
                case .variable(let path, let escaped, let line):
                    let value = try lookup(path, stack, line: line)
                    switch value {
                    case .text(let text): emitValue(text, escaping: escaped ? escaping : .none, indentation: indentation)
                    case .bool(let flag): emitValue(flag ? "true" : "false", escaping: .none, indentation: indentation)
                    case .null: break
                    case .list, .object:
                        throw TemplateError(line: line, message: "{{\(path.joined(separator: "."))}} is a list or an object; use a section {{#\(path.joined(separator: "."))}}")
                    }
                case .section(let path, let inverted, let body, let line):
                    let value = try lookup(path, stack, line: line)
                    if inverted {
                        if value.isFalsey { try render(body, &stack, indentation: indentation, partialDepth: partialDepth) }
                        continue
                    }
                    switch value {
                    case .bool(true):
                        try render(body, &stack, indentation: indentation, partialDepth: partialDepth)
                    case .list(let items):
                        for item in items {
                            stack.append(item)
                            try render(body, &stack, indentation: indentation, partialDepth: partialDepth)
                            stack.removeLast()
                        }
                    case .object, .text:
                        stack.append(value)
                        try render(body, &stack, indentation: indentation, partialDepth: partialDepth)
                        stack.removeLast()
                    case .bool(false), .null:
                        break
                    }
                case .partial(let name, let partialIndentation, let line):
                    guard let partial = library.templates[name] else {
                        throw TemplateError(line: line, message: "{{> \(name)}} names no template")
                    }
                    guard partialDepth < 32 else {
                        throw TemplateError(line: line, message: "{{> \(name)}} nests partials more than 32 deep (a partial including itself?)")
                    }
                    do {
                        try render(partial.nodes, &stack, indentation: indentation + partialIndentation, partialDepth: partialDepth + 1)
                    } catch {
                        throw TemplateError(line: line, message: "in {{> \(name)}}: \(error)")
                    }
                }
            }
        }

        /// Template text: every line it starts gets the partial indentation.
        mutating func emit(_ text: String, indentation: String) {
            var text = text
            text.withUTF8 { bytes in
                guard !bytes.isEmpty else { return }
                if indentation.isEmpty {
                    output.append(contentsOf: bytes)
                    atLineStart = bytes.last == UInt8(ascii: "\n")
                    return
                }
                var start = 0
                while start < bytes.count {
                    if atLineStart {
                        output.append(contentsOf: indentation.utf8)
                        atLineStart = false
                    }
                    var end = start
                    while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                    if end < bytes.count {
                        end += 1
                        atLineStart = true
                    }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    start = end
                }
            }
        }

        /// An interpolated value: indented where it starts a line, its own line breaks left alone (spec).
        mutating func emitValue(_ text: String, escaping: Escaping, indentation: String) {
            if text.isEmpty { return }
            if atLineStart && !indentation.isEmpty { output.append(contentsOf: indentation.utf8) }
            escaping.append(text, to: &output)
            atLineStart = false
        }

        /// The first name is looked up from the innermost context outwards; the rest descend from it.
        func lookup(_ path: [String], _ stack: [TemplateValue], line: Int) throws(TemplateError) -> TemplateValue {
            if path == ["."] { return stack.last ?? .null }
            var found: TemplateValue?
            for value in stack.reversed() {
                if case .object(let fields) = value, let field = fields[path[0]] {
                    found = field
                    break
                }
            }
            guard var current = found else {
                throw TemplateError(line: line, message: "'\(path[0])' is not a name this template can use (see templates/README.md)")
            }
            for name in path.dropFirst() {
                guard case .object(let fields) = current, let field = fields[name] else {
                    if case .null = current { return .null }
                    throw TemplateError(line: line, message: "'\(path.joined(separator: "."))' names nothing: '\(name)' is not a field there")
                }
                current = field
            }
            return current
        }
    }
}
