/// A parsed XML document: elements with their full names, attributes and byte ranges, and text, in
/// document order. Comments, processing instructions and the doctype are dropped (they configure
/// nothing); CDATA becomes text. The one XML reader of the binary: AWS answers (`XMLNode`, a view with
/// local names), job configs compared with what cutover renders (`JobConfig`), and a folder's config
/// edited in place (`FolderLibraryMerge`, through the ranges, so every byte it does not own is kept).
///
/// Hand-written rather than FoundationXML: that module links libxml2, and with it ICU 72 and liblzma,
/// into every start of the binary (each step, the sidecar, which keeps their pages resident). It
/// refuses what is not well-formed: unclosed or crossed elements, unquoted or repeated attributes, a
/// `<` in an attribute value, an unknown entity, text or a second element after the root, a doctype
/// with an internal subset (Jenkins never writes one). A job config it refuses is compared byte for
/// byte, and a folder it refuses is not edited.
public struct XMLTree: Sendable {
    public enum Node: Sendable {
        case element(Element)
        case text(String)
    }

    public struct Element: Sendable {
        public var name: String
        public var attributes: [Attribute]
        public var children: [Node]
        /// The whole element in the document's UTF-8: from the `<` of its start tag to just past its end.
        public var range: Range<Int>
        /// Between its tags (empty, at the end, for `<empty/>`).
        public var contentRange: Range<Int>
        public var selfClosing: Bool { contentRange.lowerBound == range.upperBound }

        /// The concatenated text of the element and everything in it (XPath's string value).
        public var stringValue: String {
            children.map { node in
                switch node {
                case .text(let text): text
                case .element(let element): element.stringValue
                }
            }.joined()
        }

        /// The child elements, in order.
        public var elements: [Element] {
            children.compactMap { node in
                if case .element(let element) = node { return element }
                return nil
            }
        }

        /// The child elements named `name`, in order.
        public func elements(named name: String) -> [Element] {
            elements.filter { $0.name == name }
        }
    }

    public struct Attribute: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public let root: Element
    /// The document as it was given; the ranges index it.
    public let utf8: [UInt8]

    public init(_ text: String) throws(XMLParseError) {
        try self.init(utf8: Array(text.utf8))
    }

    public init(utf8 bytes: [UInt8]) throws(XMLParseError) {
        var parser = Parser(bytes)
        root = try parser.document()
        utf8 = bytes
    }

    /// The raw text of `range` (for a leaf such as `<name>cutover</name>`, its content as written).
    public func text(_ range: Range<Int>) -> String {
        String(decoding: utf8[range], as: UTF8.self)
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() throws(XMLParseError) -> Element {
            if let control = bytes.firstIndex(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
                throw XMLParseError(offset: control, message: "the control character \(bytes[control]) is not allowed in XML")
            }
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a byte-order mark
            if starts("<?xml") {
                guard isSpace(at: index + 5) || starts("?>", at: index + 5) else { throw fail("a processing instruction may not be named xml") }
                try skip(past: "?>", what: "the XML declaration")
            }
            try misc(doctypeAllowed: true)
            guard starts("<"), !starts("</") else { throw fail(index < bytes.count ? "text before the root element" : "no root element") }
            let root = try element()
            try misc(doctypeAllowed: false)
            guard index == bytes.count else { throw fail("content after the root element") }
            return root
        }

        /// Whitespace, comments and processing instructions outside the root (and one doctype before it).
        mutating func misc(doctypeAllowed: Bool) throws(XMLParseError) {
            var doctypeSeen = !doctypeAllowed
            while index < bytes.count {
                if isSpace(at: index) {
                    index += 1
                } else if starts("<!--") {
                    try comment()
                } else if starts("<?") {
                    try processingInstruction()
                } else if starts("<!DOCTYPE"), !doctypeSeen {
                    doctypeSeen = true
                    try doctype()
                } else {
                    return
                }
            }
        }

        mutating func doctype() throws(XMLParseError) {
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: "[") {
                    throw fail("a doctype with an internal subset is not read")
                } else if byte == UInt8(ascii: ">") {
                    return
                }
            }
            throw fail("the doctype is never closed")
        }

        mutating func comment() throws(XMLParseError) {
            let start = index
            index += 4
            while index < bytes.count {
                if starts("--") {
                    guard starts("-->") else { throw fail("-- inside a comment") }
                    index += 3
                    return
                }
                index += 1
            }
            index = start
            throw fail("a comment is never closed")
        }

        mutating func processingInstruction() throws(XMLParseError) {
            index += 2
            let target = name()
            guard !target.isEmpty else { throw fail("a processing instruction without a target") }
            guard target.lowercased() != "xml" else { throw fail("an XML declaration that is not at the start") }
            try skip(past: "?>", what: "a processing instruction")
        }

        mutating func element() throws(XMLParseError) -> Element {
            let open = index
            index += 1
            let tag = name()
            guard !tag.isEmpty else { throw fail("an element without a name") }
            var element = Element(name: tag, attributes: [], children: [], range: open..<open, contentRange: open..<open)
            while true {
                let spaced = skipSpace()
                guard index < bytes.count else {
                    index = open
                    throw fail("<\(tag) is never closed")
                }
                if starts("/>") {
                    index += 2
                    element.range = open..<index
                    element.contentRange = index..<index
                    return element
                }
                if bytes[index] == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                guard spaced else { throw fail("attributes of <\(tag)> must be separated by whitespace") }
                let attribute = name()
                guard !attribute.isEmpty else { throw fail("a stray character in <\(tag)>") }
                guard !element.attributes.contains(where: { $0.name == attribute }) else { throw fail("<\(tag)> repeats the attribute \(attribute)") }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("the attribute \(attribute) of <\(tag)> has no value") }
                index += 1
                skipSpace()
                element.attributes.append(Attribute(name: attribute, value: try attributeValue()))
            }
            let contentStart = index
            // The text since the last markup, decoded when the next markup starts: one run of the document.
            var textStart = index
            while true {
                guard index < bytes.count else {
                    index = open
                    throw fail("<\(tag)> is never closed")
                }
                guard bytes[index] == UInt8(ascii: "<") else {
                    if starts("]]>") { throw fail("]]> in text") }
                    index += 1
                    continue
                }
                if textStart < index {
                    element.children.append(.text(try decode(bytes[textStart..<index], inAttribute: false)))
                }
                if starts("</") {
                    let contentEnd = index
                    index += 2
                    let closing = name()
                    guard closing == tag else { throw fail("</\(closing)> closes <\(tag)>") }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("</\(tag) is never closed") }
                    index += 1
                    element.range = open..<index
                    element.contentRange = contentStart..<contentEnd
                    return element
                } else if starts("<![CDATA[") {
                    index += 9
                    let start = index
                    try skip(past: "]]>", what: "a CDATA section")
                    element.children.append(.text(try decode(bytes[start..<(index - 3)], inAttribute: false, references: false)))
                } else if starts("<!--") {
                    try comment()
                } else if starts("<?") {
                    try processingInstruction()
                } else if starts("<!") {
                    throw fail("markup declarations are not allowed inside an element")
                } else {
                    element.children.append(.element(try self.element()))
                }
                textStart = index
            }
        }

        mutating func attributeValue() throws(XMLParseError) -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw fail("an attribute value must be quoted")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote {
                guard bytes[index] != UInt8(ascii: "<") else { throw fail("< in an attribute value") }
                index += 1
            }
            guard index < bytes.count else { throw fail("an attribute value is never closed") }
            let raw = bytes[start..<index]
            index += 1
            return try decode(raw, inAttribute: true)
        }

        /// A name: up to whitespace or the markup characters that end one. Names are compared as written.
        mutating func name() -> String {
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "<"),
                     UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "?"), UInt8(ascii: "&"), UInt8(ascii: ";"):
                    return String(decoding: bytes[start..<index], as: UTF8.self)
                case UInt8(ascii: "!") where index == start, UInt8(ascii: "-") where index == start,
                     UInt8(ascii: ".") where index == start, UInt8(ascii: "0")...UInt8(ascii: "9") where index == start:
                    return ""
                default:
                    index += 1
                }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// Character data with its line ends read as XML reads them (CR LF and a lone CR are LF) and,
        /// unless it is CDATA, its references replaced; in an attribute, whitespace characters then
        /// become spaces (XML's attribute-value normalization, before references are replaced).
        func decode(_ raw: ArraySlice<UInt8>, inAttribute: Bool, references: Bool = true) throws(XMLParseError) -> String {
            guard raw.contains(where: { ($0 == UInt8(ascii: "&") && references) || $0 == 0x0D || (inAttribute && ($0 == 0x09 || $0 == 0x0A)) }) else {
                return String(decoding: raw, as: UTF8.self)
            }
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = raw.startIndex
            while i < raw.endIndex {
                var byte = raw[i]
                if byte == 0x0D {
                    if i + 1 < raw.endIndex, raw[i + 1] == 0x0A { i += 1 }
                    byte = 0x0A
                }
                if inAttribute && (byte == 0x09 || byte == 0x0A) {
                    out.append(0x20)
                    i += 1
                    continue
                }
                guard byte == UInt8(ascii: "&"), references else {
                    out.append(byte)
                    i += 1
                    continue
                }
                guard let end = raw[i...].firstIndex(of: UInt8(ascii: ";")) else { throw XMLParseError(offset: i, message: "& without ;") }
                let entity = String(decoding: raw[(i + 1)..<end], as: UTF8.self)
                guard let character = XMLReference.utf8(entity) else { throw XMLParseError(offset: i, message: "unknown entity &\(entity);") }
                out.append(contentsOf: character)
                i = end + 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        @discardableResult
        mutating func skipSpace() -> Bool {
            let start = index
            while isSpace(at: index) { index += 1 }
            return index > start
        }

        mutating func skip(past terminator: StaticString, what: String) throws(XMLParseError) {
            let start = index
            while index < bytes.count {
                if starts(terminator) {
                    index += terminator.utf8CodeUnitCount
                    return
                }
                index += 1
            }
            index = start
            throw fail("\(what) is never closed")
        }

        func isSpace(at offset: Int) -> Bool {
            guard offset < bytes.count else { return false }
            let byte = bytes[offset]
            return byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
        }

        func starts(_ prefix: StaticString, at offset: Int? = nil) -> Bool {
            let at = offset ?? index
            let count = prefix.utf8CodeUnitCount
            guard at + count <= bytes.count else { return false }
            return prefix.withUTF8Buffer { buffer in
                for position in 0..<count where bytes[at + position] != buffer[position] { return false }
                return true
            }
        }

        func fail(_ message: String) -> XMLParseError {
            XMLParseError(offset: index, message: message)
        }
    }
}

public struct XMLParseError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "not well-formed XML at byte \(offset): \(message)" }
}
