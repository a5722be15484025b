import CutoverCore

/// A parsed XML element: the small tree AWS Query-protocol responses need (names, text, children).
///
/// Hand-written rather than FoundationXML's SAX parser: AWS answers are small, well-formed documents
/// without DTDs, and a byte-level pass over them is several times faster. Attributes are skipped (AWS
/// puts nothing in them that cutover reads), and element names are compared without their namespace
/// prefix.
public struct XMLNode: Sendable, Equatable {
    public var name: String
    public var children: [XMLNode]
    /// The element's own character data (entities decoded), concatenated.
    public var text: String

    public init(name: String, children: [XMLNode] = [], text: String = "") {
        self.name = name
        self.children = children
        self.text = text
    }

    /// The first child named `name`.
    public subscript(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// Follows a path of child names: `node.path("Listeners", "member")`.
    public func path(_ names: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in names { node = node?[name] }
        return node
    }

    /// Every child named `name` (list items are `member` in ELBv2, `item` in EC2).
    public func all(_ name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// The text of the child `name`, nil when the child is absent.
    public func string(_ name: String) -> String? {
        self[name]?.text
    }

    /// Parses a whole document; throws on malformed input.
    public static func parse(_ bytes: some Collection<UInt8>) throws(XMLParseError) -> XMLNode {
        var parser = XMLParser(bytes: Array(bytes))
        return try parser.document()
    }
}

public struct XMLParseError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "malformed XML at byte \(offset): \(message)" }
}

private struct XMLParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLParseError) -> XMLNode {
        skipMisc()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw fail("no root element") }
        return try element()
    }

    /// Skips whitespace, the declaration, processing instructions, comments and a doctype.
    mutating func skipMisc() {
        while index < bytes.count {
            if isSpace(bytes[index]) { index += 1; continue }
            if starts("<?") { skip(past: Array("?>".utf8)); continue }
            if starts("<!--") { skip(past: Array("-->".utf8)); continue }
            if starts("<!") { skip(past: [UInt8(ascii: ">")]); continue }
            return
        }
    }

    mutating func element() throws(XMLParseError) -> XMLNode {
        index += 1  // <
        let name = localName(readName())
        guard !name.isEmpty else { throw fail("an element without a name") }
        // Attributes: skipped, but quoted values may contain '>' so they are stepped over properly.
        while index < bytes.count, bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/") {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                index += 1
                while index < bytes.count, bytes[index] != byte { index += 1 }
            }
            index += 1
        }
        guard index < bytes.count else { throw fail("<\(name) is never closed") }
        if bytes[index] == UInt8(ascii: "/") {
            index += 2
            return XMLNode(name: name)
        }
        index += 1  // >
        var node = XMLNode(name: name)
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("<\(name)> is never closed") }
            let byte = bytes[index]
            if byte != UInt8(ascii: "<") {
                text.append(byte)
                index += 1
            } else if starts("</") {
                index += 2
                let closing = localName(readName())
                guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                while index < bytes.count, bytes[index] != UInt8(ascii: ">") { index += 1 }
                index += 1
                node.text = try decode(text)
                return node
            } else if starts("<![CDATA[") {
                index += 9
                let start = index
                skip(past: Array("]]>".utf8))
                text.append(contentsOf: bytes[start..<max(start, index - 3)])
            } else if starts("<!--") || starts("<?") {
                skip(past: starts("<!--") ? Array("-->".utf8) : Array("?>".utf8))
            } else {
                node.children.append(try element())
            }
        }
    }

    mutating func readName() -> [UInt8] {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") { break }
            index += 1
        }
        return Array(bytes[start..<index])
    }

    func localName(_ name: [UInt8]) -> String {
        if let colon = name.lastIndex(of: UInt8(ascii: ":")) {
            return String(decoding: name[(colon + 1)...], as: UTF8.self)
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// Decodes the five predefined entities and numeric character references.
    func decode(_ text: [UInt8]) throws(XMLParseError) -> String {
        guard text.contains(UInt8(ascii: "&")) else { return String(decoding: text, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            guard text[i] == UInt8(ascii: "&"), let end = text[i...].firstIndex(of: UInt8(ascii: ";")) else {
                out.append(text[i]); i += 1; continue
            }
            let entity = String(decoding: text[(i + 1)..<end], as: UTF8.self)
            guard let character = XMLReference.utf8(entity) else { throw fail("unknown entity &\(entity);") }
            out.append(contentsOf: character)
            i = end + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    func starts(_ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return prefix.withUTF8Buffer { buffer in
            for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    mutating func skip(past terminator: [UInt8]) {
        while index < bytes.count {
            if bytes[index] == terminator[0], index + terminator.count <= bytes.count,
               Array(bytes[index..<(index + terminator.count)]) == terminator {
                index += terminator.count
                return
            }
            index += 1
        }
    }

    func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    func fail(_ message: String) -> XMLParseError {
        XMLParseError(offset: index, message: message)
    }
}
