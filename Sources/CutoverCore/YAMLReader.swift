import Yams

/// Reads a composed YAML tree into typed values, reporting every problem to a sink instead of throwing,
/// so that one pass over a config finds all of its mistakes with their positions.
final class YAMLReader {
    let file: String
    let sink: DiagnosticSink

    init(file: String, sink: DiagnosticSink) {
        self.file = file
        self.sink = sink
    }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ node: Node, _ path: String, _ message: String, hint: String) {
        sink.error(location(node), path, message, hint: hint)
    }

    func mapping(_ node: Node, _ path: String) -> MappingReader? {
        guard case .mapping(let mapping) = node else {
            error(node, path, "expected a mapping of keys to values, found \(describe(node))",
                  hint: "write `key: value` pairs indented under `\(path.split(separator: ".").last ?? "")`")
            return nil
        }
        return MappingReader(reader: self, mapping: mapping, node: node, path: path)
    }

    func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            error(node, path, "expected a list, found \(describe(node))", hint: "write a list such as `[a, b]` or one `- item` per line")
            return nil
        }
        return Array(sequence)
    }

    func scalar(_ node: Node, _ path: String) -> String? {
        if case .mapping = node {
            // Nearly always an unquoted placeholder: YAML reads `blue: {env}-x` as a mapping.
            error(node, path, "expected a single value, found a mapping",
                  hint: "quote a value that starts with '{', e.g. '{env}-frontend-blue'")
            return nil
        }
        guard case .scalar(let scalar) = node else {
            error(node, path, "expected a single value, found \(describe(node))", hint: "write a plain value such as `\(path.split(separator: ".").last ?? "value"): example`")
            return nil
        }
        if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            error(node, path, "has no value", hint: "write a value after the colon, or remove the key to use the default")
            return nil
        }
        return scalar.string
    }

    /// A string checked against `kind`, possibly holding placeholders to expand later.
    func templated(_ node: Node, _ path: String, _ kind: ValueKind) -> Templated? {
        guard let text = scalar(node, path) else { return nil }
        return Templated(raw: text, location: location(node), path: path, kind: kind)
    }

    func int(_ node: Node, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = scalar(node, path) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            error(node, path, "\(quoted(text)) is not a whole number from \(range.lowerBound) to \(range.upperBound)",
                  hint: "write a number such as \(range.lowerBound == 0 ? range.upperBound : range.lowerBound)")
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        guard let text = scalar(node, path) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            error(node, path, "\(quoted(text)) is not true or false", hint: "write `true` or `false`")
            return nil
        }
    }

    /// A duration written as `90s`, `2m`, `1h` or `500ms`, in whole seconds (rounded up).
    func duration(_ node: Node, _ path: String) -> Int? {
        guard let text = scalar(node, path) else { return nil }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let value = Int(number), value >= 0, !(suffix == "s" && number.hasSuffix("m")) {
                return Int((Double(value) * factor).rounded(.up))
            }
        }
        error(node, path, "\(quoted(text)) is not a duration", hint: "write a whole number with a unit: 500ms, 30s, 2m or 1h")
        return nil
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "the value \(quoted(scalar.string))"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// One YAML mapping being read. Every key read through it is remembered, so `finish()` can report the
/// keys nobody asked for: a typo must be an error, never a silently ignored setting.
final class MappingReader {
    let reader: YAMLReader
    let node: Node
    let path: String
    private(set) var pairs: [(key: String, keyNode: Node, value: Node)] = []
    private var asked: [String] = []

    init(reader: YAMLReader, mapping: Node.Mapping, node: Node, path: String) {
        self.reader = reader
        self.node = node
        self.path = path
        // Duplicate keys never get here: libyaml rejects them as a syntax error with their position.
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                reader.error(keyNode, path, "a key must be a plain name, found \(reader.describe(keyNode))", hint: "write `name: value`")
                continue
            }
            let key = scalar.string
            pairs.append((key, keyNode, value))
        }
    }

    func child(_ key: String) -> String {
        // A key is echoed in messages: show a hostile one escaped, never raw.
        let plain = key.unicodeScalars.allSatisfy { ValueKind.isAlnum($0) || $0 == "_" || $0 == "-" }
        let shown = plain && !key.isEmpty ? key : quoted(key)
        return path.isEmpty ? shown : "\(path).\(shown)"
    }

    /// The value under `key`, or nil (reporting it when `required`).
    func value(_ key: String, required: Bool = false, hint: String? = nil) -> Node? {
        asked.append(key)
        if let pair = pairs.first(where: { $0.key == key }) { return pair.value }
        if required {
            reader.error(node, child(key), "is required but missing",
                         hint: hint ?? "add `\(key):` under `\(path.isEmpty ? "the top level" : path)`")
        }
        return nil
    }

    func templated(_ key: String, _ kind: ValueKind, required: Bool = false, hint: String? = nil) -> Templated? {
        value(key, required: required, hint: hint).flatMap { reader.templated($0, child(key), kind) }
    }

    func mapping(_ key: String, required: Bool = false) -> MappingReader? {
        value(key, required: required).flatMap { reader.mapping($0, child(key)) }
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        value(key).flatMap { reader.int($0, child(key), in: range) }
    }

    func bool(_ key: String) -> Bool? {
        value(key).flatMap { reader.bool($0, child(key)) }
    }

    func duration(_ key: String) -> Int? {
        value(key).flatMap { reader.duration($0, child(key)) }
    }

    /// A list of strings of one kind; a single value is accepted as a list of one.
    func templatedList(_ key: String, _ kind: ValueKind) -> [Templated]? {
        guard let node = value(key) else { return nil }
        if case .scalar = node { return reader.templated(node, child(key), kind).map { [$0] } }
        guard let items = reader.sequence(node, child(key)) else { return nil }
        return items.enumerated().compactMap { index, item in reader.templated(item, "\(child(key))[\(index)]", kind) }
    }

    /// Reports every key that was never asked for, with the nearest known key as a suggestion.
    func finish(context: String? = nil) {
        for pair in pairs where !asked.contains(pair.key) {
            let known = asked.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let suggestion = closest(to: pair.key, in: known).map { "did you mean `\($0)`? " } ?? ""
            reader.error(pair.keyNode, child(pair.key), "is not a known key\(context.map { " of \($0)" } ?? "")",
                         hint: "\(suggestion)known keys here: \(known.joined(separator: ", "))")
        }
    }
}

/// The known word within edit distance 2 of `word`, if any: enough for typos, not for guesses.
func closest(to word: String, in candidates: [String]) -> String? {
    candidates
        .map { ($0, editDistance(word, $0)) }
        .filter { $0.1 <= max(1, min(2, word.count / 3)) }
        .min { $0.1 < $1.1 }?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
