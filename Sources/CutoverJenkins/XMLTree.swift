import CutoverCore

/// A parsed XML document as the tree a job's `config.xml` needs for comparison: elements with their
/// full names and attributes, and text, in document order. Comments, processing instructions and the
/// doctype are dropped (they configure nothing); CDATA becomes text.
///
/// Hand-written rather than FoundationXML: that module links libxml2, and with it ICU 72 and liblzma,
/// into every start of the binary (each step, the sidecar, which keeps their pages resident) for the
/// one thing `register` asks of it. It refuses what is not well-formed: unclosed or crossed elements,
/// unquoted or repeated attributes, a `<` in an attribute value, an unknown entity, text or a second
/// element after the root, a doctype with an internal subset (Jenkins never writes one). A document it
/// refuses is compared byte for byte, and a folder it refuses is not edited.
struct XMLTree {
    enum Node {
        case element(Element)
        case text(String)
    }

    struct Element {
        var name: String
        var attributes: [(name: String, value: String)]
        var children: [Node]

        /// The concatenated text of the element and everything in it (XPath's string value).
        var stringValue: String {
            children.map { node in
                switch node {
                case .text(let text): text
                case .element(let element): element.stringValue
                }
            }.joined()
        }

        /// The child elements named `name`, in order.
        func elements(named name: String) -> [Element] {
            children.compactMap { node in
                if case .element(let element) = node, element.name == name { return element }
                return nil
            }
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        var offset: Int
        var message: String
        var description: String { "not well-formed XML at byte \(offset): \(message)" }
    }

    let root: Element

    init(_ text: String) throws(ParseError) {
        var parser = Parser(text)
        root = try parser.document()
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(_ text: String) {
            // XML's end-of-line handling: CR LF and a lone CR are read as LF, in text and attributes alike.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            var previousCR = false
            for byte in text.utf8 {
                if byte == 0x0D {
                    bytes.append(0x0A)
                    previousCR = true
                    continue
                }
                if !(byte == 0x0A && previousCR) { bytes.append(byte) }
                previousCR = false
            }
            self.bytes = bytes
        }

        mutating func document() throws(ParseError) -> Element {
            if let control = bytes.firstIndex(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A }) {
                throw ParseError(offset: control, message: "the control character \(bytes[control]) is not allowed in XML")
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
        mutating func misc(doctypeAllowed: Bool) throws(ParseError) {
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

        mutating func doctype() throws(ParseError) {
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

        mutating func comment() throws(ParseError) {
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

        mutating func processingInstruction() throws(ParseError) {
            index += 2
            let target = name()
            guard !target.isEmpty else { throw fail("a processing instruction without a target") }
            guard target.lowercased() != "xml" else { throw fail("an XML declaration that is not at the start") }
            try skip(past: "?>", what: "a processing instruction")
        }

        mutating func element() throws(ParseError) -> Element {
            let open = index
            index += 1
            let tag = name()
            guard !tag.isEmpty else { throw fail("an element without a name") }
            var element = Element(name: tag, attributes: [], children: [])
            while true {
                let spaced = skipSpace()
                guard index < bytes.count else {
                    index = open
                    throw fail("<\(tag) is never closed")
                }
                if starts("/>") {
                    index += 2
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
                element.attributes.append((attribute, try attributeValue()))
            }
            var text: [UInt8] = []
            func flush() throws(ParseError) {
                guard !text.isEmpty else { return }
                element.children.append(.text(try decode(text[...], inAttribute: false)))
                text.removeAll(keepingCapacity: true)
            }
            while true {
                guard index < bytes.count else {
                    index = open
                    throw fail("<\(tag)> is never closed")
                }
                guard bytes[index] == UInt8(ascii: "<") else {
                    if starts("]]>") { throw fail("]]> in text") }
                    text.append(bytes[index])
                    index += 1
                    continue
                }
                try flush()
                if starts("</") {
                    index += 2
                    let closing = name()
                    guard closing == tag else { throw fail("</\(closing)> closes <\(tag)>") }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("</\(tag) is never closed") }
                    index += 1
                    return element
                } else if starts("<![CDATA[") {
                    index += 9
                    let start = index
                    try skip(past: "]]>", what: "a CDATA section")
                    element.children.append(.text(String(decoding: bytes[start..<(index - 3)], as: UTF8.self)))
                } else if starts("<!--") {
                    try comment()
                } else if starts("<?") {
                    try processingInstruction()
                } else if starts("<!") {
                    throw fail("markup declarations are not allowed inside an element")
                } else {
                    element.children.append(.element(try self.element()))
                }
            }
        }

        mutating func attributeValue() throws(ParseError) -> String {
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
                case 0x20, 0x09, 0x0A, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "<"),
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

        /// Character data with its references replaced; in an attribute, whitespace characters become
        /// spaces (XML's attribute-value normalization, before references are replaced).
        func decode(_ raw: ArraySlice<UInt8>, inAttribute: Bool) throws(ParseError) -> String {
            guard raw.contains(where: { $0 == UInt8(ascii: "&") || (inAttribute && ($0 == 0x09 || $0 == 0x0A)) }) else {
                return String(decoding: raw, as: UTF8.self)
            }
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = raw.startIndex
            while i < raw.endIndex {
                let byte = raw[i]
                if inAttribute && (byte == 0x09 || byte == 0x0A) {
                    out.append(0x20)
                    i += 1
                    continue
                }
                guard byte == UInt8(ascii: "&") else {
                    out.append(byte)
                    i += 1
                    continue
                }
                guard let end = raw[i...].firstIndex(of: UInt8(ascii: ";")) else { throw ParseError(offset: i, message: "& without ;") }
                let entity = String(decoding: raw[(i + 1)..<end], as: UTF8.self)
                guard let character = XMLReference.utf8(entity) else { throw ParseError(offset: i, message: "unknown entity &\(entity);") }
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

        mutating func skip(past terminator: StaticString, what: String) throws(ParseError) {
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
            return byte == 0x20 || byte == 0x0A || byte == 0x09
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

        func fail(_ message: String) -> ParseError {
            ParseError(offset: index, message: message)
        }
    }
}
