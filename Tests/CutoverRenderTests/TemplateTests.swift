@testable import CutoverRender
import Testing

/// The Mustache subset cutover's template engine implements, checked case by case against what the
/// Mustache spec (https://github.com/mustache/spec) says the output is.
@Suite("Template engine")
struct TemplateTests {
    func render(_ source: String, _ value: TemplateValue, partials: [String: String] = [:], escaping: Escaping = .none) throws -> String {
        var library = TemplateLibrary()
        library.register(try Template(source), named: "main")
        for (name, text) in partials { library.register(try Template(text), named: name) }
        return try library.render("main", value, escaping: escaping)
    }

    let data: TemplateValue = .object([
        "name": .text("Jo"), "yes": .bool(true), "no": .bool(false), "none": .null,
        "items": .objects([["v": .text("a")], ["v": .text("b")], ["v": .text("c")]]),
        "empty": .list([]), "outer": .object(["inner": .object(["x": .text("deep")])]),
    ])

    @Test(arguments: [
        ("Hello {{name}}!", "Hello Jo!"),
        ("{{#yes}}shown{{/yes}}{{#no}}hidden{{/no}}", "shown"),
        ("{{^no}}inverted{{/no}}{{^yes}}x{{/yes}}{{^none}}!{{/none}}{{^empty}}?{{/empty}}", "inverted!?"),
        ("{{#items}}{{v}}{{^last}},{{/last}}{{/items}}", "a,b,c"),
        ("{{#items}}{{#first}}[{{/first}}{{v}}{{/items}}", "[abc"),
        ("{{outer.inner.x}} {{#outer}}{{inner.x}}{{/outer}}", "deep deep"),
        ("{{#outer}}{{#inner}}{{name}}{{/inner}}{{/outer}}", "Jo"),
        ("{{none}}|{{none.field}}", "|"),
        ("{{! a comment }}x{{% PRAGMA }}", "x"),
        // Standalone lines vanish with their line break; inline tags do not.
        ("begin\n  {{#yes}}\n  line\n  {{/yes}}\nend\n", "begin\n  line\nend\n"),
        ("a {{#yes}}b{{/yes}} c\n", "a b c\n"),
        ("{{#yes}}\n{{/yes}}x", "x"),
        ("|\r\n{{#yes}}\r\n{{/yes}}\r\n|", "|\r\n|"),
        ("  {{! comment }}\nnext", "next"),
        ("{{#items}}\n- {{v}}\n{{/items}}\n", "- a\n- b\n- c\n"),
    ])
    func rendersLikeTheSpec(template: String, expected: String) throws {
        #expect(try render(template, data) == expected)
    }

    @Test func standalonePartialsAreIndentedLineByLine() throws {
        let output = try render("root {\n    {{> inner}}\n}\n", data, partials: ["inner": "a\n{{#items}}\n  {{v}}\n{{/items}}\nb\n"])
        #expect(output == "root {\n    a\n      a\n      b\n      c\n    b\n}\n")
    }

    @Test func interpolatedValuesAreNotReindented() throws {
        let output = try render("  {{> p}}\n", .object(["v": .text("x\ny")]), partials: ["p": "<{{v}}>\n"])
        #expect(output == "  <x\ny>\n")
    }

    @Test func escapingAppliesToDoubleMustachesOnly() throws {
        let value: TemplateValue = .object(["v": .text("it's <b>")])
        #expect(try render("'{{v}}' {{{v}}} {{&v}}", value, escaping: .groovySingleQuoted) == "'it\\'s <b>' it's <b> it's <b>")
        #expect(try render("{{v}}", value, escaping: .xml) == "it&apos;s &lt;b&gt;")
    }

    @Test(arguments: [
        ("{{#yes}}open", "line 1: the section {{#yes}} is never closed"),
        ("{{/yes}}", "line 1: {{/yes}} closes a section that was never opened"),
        ("{{#a}}\n{{/b}}", "line 2: {{/b}} closes the section {{#a}} opened at line 1"),
        ("x\n{{name", "line 2: a tag opened with {{ is never closed"),
        ("{{=<% %>=}}", "line 1: set-delimiter tags are not supported"),
        ("{{last()}}", "line 1: 'last()' is not a name (write {{name}} or {{a.b}})"),
    ])
    func parseErrorsNameTheLine(template: String, message: String) {
        #expect(throws: TemplateError.self) { try Template(template) }
        do { _ = try Template(template) } catch { #expect(error.description == message) }
    }

    @Test func unknownNamesAreErrorsNotEmptyOutput() throws {
        do {
            _ = try render("ok\n{{nmae}}", data)
            Issue.record("an unknown name rendered")
        } catch let error as TemplateError {
            #expect(error.description == "line 2: 'nmae' is not a name this template can use (see templates/README.md)")
        }
        do {
            _ = try render("{{> missing}}", data)
            Issue.record("a missing partial rendered")
        } catch let error as TemplateError {
            #expect(error.description == "line 1: {{> missing}} names no template")
        }
    }

    @Test func aPartialIncludingItselfIsStopped() throws {
        #expect(throws: TemplateError.self) { try render("{{> loop}}", data, partials: ["loop": "x{{> loop}}"]) }
    }
}
