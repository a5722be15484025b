import CutoverRender
import CutoverTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Each escaper is checked against the real consumer of its output: Groovy, an XML parser, /bin/sh.
@Suite("Escaping helpers")
struct EscapeTests {
    static let hostile: [String] = [
        "plain", "it's", "a\"b", "${env.SECRET}", "$(id)", "`id`", "</script><script>x</script>", "line1\nline2", "cr\rlf",
        "tab\there", "back\\slash", "trailing\\", "\\'", "''", "'''", "\"\"\"", "$", "${", "&amp; &lt;", "<![CDATA[x]]>",
        "]]>", "unicode: héllo ✓ 日本", "\u{202E}bidi", "bell\u{7}", "del\u{7f}", "nel\u{85}", "ls\u{2028}ps\u{2029}", "",
        String(repeating: "x", count: 5000),
        // Every ASCII character and every C1 control, each next to plain text: the escapers scan for
        // the bytes they change with a table, so a byte missing from it would come through raw here.
        String(String.UnicodeScalarView((1...0x7f).map { Unicode.Scalar(UInt8($0)) })),
        String(String.UnicodeScalarView((0x80...0x9f).flatMap { ["a", Unicode.Scalar(UInt8($0))] })),
    ]

    @Test func groovySingleQuotedRoundTripsThroughRealGroovy() throws {
        let dir = try Paths.temporaryDirectory("groovy-escape")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = Self.hostile.map { "println(java.util.Base64.encoder.encodeToString('\(Escape.groovySingleQuoted($0))'.getBytes('UTF-8')))" }
            .joined(separator: "\n")
        let file = dir.appendingPathComponent("escape.groovy")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let result = try Groovy.run(file.path)
        #expect(result.status == 0, "\(result.stderr)")
        let decoded = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { String(decoding: Data(base64Encoded: String($0)) ?? Data(), as: UTF8.self) }
        #expect(decoded == Self.hostile)
    }

    @Test func xmlTextRoundTripsThroughAParser() throws {
        for value in Self.hostile {
            let document = try XMLDocument(xmlString: "<?xml version='1.1' encoding='UTF-8'?><a b=\"\(Escape.xmlText(value))\">\(Escape.xmlText(value))</a>")
            let root = try #require(document.rootElement())
            // XML normalises a CR read from a reference to itself but line ends in attributes to spaces;
            // cutover only ever puts names in attributes, so the element text is the contract.
            let expected = String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" ? "\u{FFFD}" : $0 }))
            #expect(root.stringValue == expected, "\(value.debugDescription)")
            #expect(root.children?.count ?? 0 <= 1)
        }
    }

    @Test func xmlTextNeverEmitsMarkup() {
        let escaped = Escape.xmlText("</script><x a='1'>&")
        #expect(escaped == "&lt;/script&gt;&lt;x a=&apos;1&apos;&gt;&amp;")
        #expect(Escape.xmlText("nul\u{0} bell\u{7}") == "nul\u{FFFD} bell\u{FFFD}")
        #expect(Escape.xmlText("nel\u{85}") == "nel&#133;")
    }

    @Test func shellArgumentRoundTripsThroughSh() throws {
        for value in Self.hostile where !value.contains("\u{0}") {
            let result = try Subprocess.run("/bin/sh", ["-c", "printf '%s' " + Escape.shellArgument(value)])
            #expect(result.status == 0)
            #expect(result.stdout == value, "\(value.debugDescription) -> \(Escape.shellArgument(value))")
        }
    }

    @Test func shellArgumentLeavesSafeWordsBare() {
        #expect(Escape.shellArgument("feed-normalizer") == "feed-normalizer")
        #expect(Escape.shellArgument("/usr/local/bin/cutover") == "/usr/local/bin/cutover")
        #expect(Escape.shellArgument("a b") == "'a b'")
        #expect(Escape.shellArgument("it's") == "'it'\\''s'")
        #expect(Escape.shellArgument("") == "''")
    }
}
