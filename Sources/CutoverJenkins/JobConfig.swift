import CutoverCore
import Foundation

/// Compares job and folder `config.xml` the way Jenkins means them, not byte for byte: Jenkins rewrites
/// what it stores (XML 1.1 declaration, its own indentation, `plugin="name@version"` attributes), and a
/// register that compared bytes would rewrite every job on every run.
public enum JobConfig {
    /// A canonical form: no declaration, no whitespace-only text between elements, attributes sorted,
    /// `plugin` attributes dropped, empty elements written one way. Text content is kept exactly.
    /// Unparseable XML is returned as it is, so it compares unequal to anything well-formed.
    public static func canonical(_ xml: String) -> String {
        guard let document = try? XMLTree(withoutDeclaration(xml)) else { return xml }
        var out = ""
        serialize(document.root, into: &out)
        return out
    }

    /// Whether two configs mean the same to Jenkins.
    public static func equivalent(_ lhs: String, _ rhs: String) -> Bool {
        lhs == rhs || canonical(lhs) == canonical(rhs)
    }

    /// The text of the top-level `<description>`, where cutover puts its managed marker.
    public static func description(of xml: String) -> String? {
        guard let document = try? XMLTree(withoutDeclaration(xml)) else { return nil }
        return document.root.elements(named: "description").first?.stringValue
    }

    /// The document without its `<?xml ...?>` declaration. Jenkins writes `version='1.1'`; the declaration
    /// carries nothing the comparison needs (cutover's files and Jenkins' are UTF-8).
    static func withoutDeclaration(_ xml: String) -> String {
        let trimmed = xml.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        guard trimmed.hasPrefix("<?xml"), let end = trimmed.range(of: "?>") else { return xml }
        return String(trimmed[end.upperBound...])
    }

    private static func serialize(_ element: XMLTree.Element, into out: inout String) {
        out += "<" + element.name
        let attributes = element.attributes.filter { $0.name != "plugin" }.sorted { $0.name < $1.name }
        for attribute in attributes { out += " \(attribute.name)=\"\(escape(attribute.value))\"" }
        out += ">"
        let hasElements = element.children.contains { if case .element = $0 { true } else { false } }
        for child in element.children {
            switch child {
            case .element(let child):
                serialize(child, into: &out)
            case .text(let text):
                // Indentation between elements is layout; text inside a leaf element is content.
                if hasElements && text.allSatisfy({ $0.isWhitespace }) { continue }
                out += escape(text)
            }
        }
        out += "</" + element.name + ">"
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
