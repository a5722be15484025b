/// The element structure of an XML document as byte ranges of its text, so an edit can replace one
/// element and leave every other byte exactly as Jenkins (or a person) wrote it: re-serializing a
/// parsed document would reformat, reorder attributes and drop comments in parts cutover does not own.
/// Only well-formed input is outlined (the caller checks it parses first); comments, CDATA,
/// processing instructions and the doctype are skipped as opaque.
struct XMLOutline {
    struct Element {
        var name: String
        /// `<` of the start tag.
        var start: Int
        /// Just after the start tag's `>`.
        var contentStart: Int
        /// `<` of the end tag (== `end` for `<empty/>`).
        var contentEnd: Int
        /// Just after the element.
        var end: Int
        var selfClosing: Bool
        var children: [Element]
    }

    let bytes: [UInt8]
    let root: Element

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        var stack: [Element] = []
        var top: Element?
        var index = 0
        let count = bytes.count
        func find(_ needle: String, from: Int) -> Int? {
            let pattern = Array(needle.utf8)
            var i = from
            while i + pattern.count <= count {
                if bytes[i] == pattern[0] && Array(bytes[i..<(i + pattern.count)]) == pattern { return i }
                i += 1
            }
            return nil
        }
        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else { index += 1; continue }
            if let skip = [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">")].first(where: { bytes[index...].starts(with: $0.0.utf8) }) {
                guard let close = find(skip.1, from: index + skip.0.utf8.count) else { return nil }
                index = close + skip.1.utf8.count
                continue
            }
            // A tag: its end is the first `>` outside a quoted attribute value.
            var cursor = index + 1
            var quote: UInt8?
            while cursor < count {
                let byte = bytes[cursor]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") {
                    break
                }
                cursor += 1
            }
            guard cursor < count else { return nil }
            let tagEnd = cursor + 1
            let closing = bytes[index + 1] == UInt8(ascii: "/")
            let selfClosing = bytes[cursor - 1] == UInt8(ascii: "/")
            let nameStart = closing ? index + 2 : index + 1
            var nameEnd = nameStart
            while nameEnd < cursor, !Self.endsName(bytes[nameEnd]) { nameEnd += 1 }
            let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
            if closing {
                guard var element = stack.popLast(), element.name == name else { return nil }
                element.contentEnd = index
                element.end = tagEnd
                if stack.isEmpty { top = element } else { stack[stack.count - 1].children.append(element) }
            } else {
                let element = Element(name: name, start: index, contentStart: tagEnd, contentEnd: tagEnd, end: tagEnd,
                                      selfClosing: selfClosing, children: [])
                if selfClosing {
                    if stack.isEmpty { top = element } else { stack[stack.count - 1].children.append(element) }
                } else {
                    stack.append(element)
                }
            }
            index = tagEnd
        }
        guard stack.isEmpty, let top else { return nil }
        self.bytes = bytes
        root = top
    }

    private static func endsName(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">")
    }

    /// The raw text between an element's tags (for a leaf such as `<name>cutover</name>`).
    func content(of element: Element) -> String {
        String(decoding: bytes[element.contentStart..<element.contentEnd], as: UTF8.self)
    }

    /// The document with `range` replaced by `text`.
    func replacing(_ range: Range<Int>, with text: String) -> String {
        String(decoding: bytes[..<range.lowerBound], as: UTF8.self) + text + String(decoding: bytes[range.upperBound...], as: UTF8.self)
    }

    /// The whitespace that starts the line `offset` is on, for indenting an inserted element like its neighbours.
    func indentation(ofLineAt offset: Int) -> String {
        var start = offset
        while start > 0, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        var end = start
        while end < bytes.count, bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t") { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
