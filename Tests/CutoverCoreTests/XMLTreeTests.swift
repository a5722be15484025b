import CutoverCore
import Testing

/// The reader's ranges (what a folder edit splices by) and XML's end-of-line handling, which it does
/// while reading so that the ranges index the document as given. Well-formedness is checked against
/// expat in JobConfigTests.
@Suite struct XMLTreeTests {
    @Test func rangesIndexTheDocumentAsGiven() throws {
        let text = "<?xml version='1.1'?>\r\n<a x='1'>\r\n  <b>é</b>\r\n  <c/>\r\n</a>"
        let tree = try XMLTree(text)
        let root = tree.root
        #expect(tree.text(root.range) == "<a x='1'>\r\n  <b>é</b>\r\n  <c/>\r\n</a>")
        #expect(tree.text(root.contentRange) == "\r\n  <b>é</b>\r\n  <c/>\r\n")
        let b = try #require(root.elements(named: "b").first), c = try #require(root.elements(named: "c").first)
        #expect(tree.text(b.range) == "<b>é</b>" && tree.text(b.contentRange) == "é" && !b.selfClosing)
        #expect(tree.text(c.range) == "<c/>" && c.contentRange.isEmpty && c.selfClosing)
        #expect(root.elements.map(\.name) == ["b", "c"])
        #expect(root.attributes.map(\.name) == ["x"] && root.attributes.map(\.value) == ["1"])
    }

    @Test func lineEndsAreReadAsLFAndAReferencedCRIsKept() throws {
        let tree = try XMLTree("<a v='1\r\n2\r3\n4'>x\r\ny\rz<![CDATA[p\r\nq\rr]]>&#13;\r\n</a>")
        #expect(tree.root.attributes.first?.value == "1 2 3 4")
        #expect(tree.root.stringValue == "x\ny\nzp\nq\nr\r\n")
        // A CR between attributes and before `>` is whitespace.
        #expect(try XMLTree("<a\rx='1'\r\n/>").root.attributes.map(\.name) == ["x"])
    }

    @Test func errorsSayWhereAndWhat() {
        #expect(throws: XMLParseError.self) { try XMLTree("<a><b></a>") }
        do {
            _ = try XMLTree("<a>&bogus;</a>")
            Issue.record("an unknown entity was read")
        } catch {
            #expect(error.description == "not well-formed XML at byte 3: unknown entity &bogus;")
        }
    }
}
