import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Compares job and folder `config.xml` the way Jenkins means them, not byte for byte: Jenkins rewrites
/// what it stores (XML 1.1 declaration, its own indentation, `plugin="name@version"` attributes), and a
/// register that compared bytes would rewrite every job on every run.
public enum JobConfig {
    /// A canonical form: no declaration, no whitespace-only text between elements, attributes sorted,
    /// `plugin` attributes dropped, empty elements written one way. Text content is kept exactly.
    /// Unparseable XML is returned as it is, so it compares unequal to anything well-formed.
    public static func canonical(_ xml: String) -> String {
        guard let document = try? XMLDocument(xmlString: withoutDeclaration(xml), options: [.nodePreserveCDATA]),
              let root = document.rootElement() else { return xml }
        var out = ""
        serialize(root, into: &out)
        return out
    }

    /// Whether two configs mean the same to Jenkins.
    public static func equivalent(_ lhs: String, _ rhs: String) -> Bool {
        lhs == rhs || canonical(lhs) == canonical(rhs)
    }

    /// The text of the top-level `<description>`, where cutover puts its managed marker.
    public static func description(of xml: String) -> String? {
        guard let document = try? XMLDocument(xmlString: withoutDeclaration(xml), options: []),
              let root = document.rootElement() else { return nil }
        return root.elements(forName: "description").first?.stringValue
    }

    /// The document without its `<?xml ...?>` declaration. Jenkins writes `version='1.1'`, which libxml2
    /// parses but warns about on stderr (once per job, on every register); the declaration carries
    /// nothing the comparison needs (cutover's files and Jenkins' are UTF-8).
    static func withoutDeclaration(_ xml: String) -> String {
        let trimmed = xml.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        guard trimmed.hasPrefix("<?xml"), let end = trimmed.range(of: "?>") else { return xml }
        return String(trimmed[end.upperBound...])
    }

    private static func serialize(_ element: XMLElement, into out: inout String) {
        out += "<" + (element.name ?? "")
        let attributes = (element.attributes ?? [])
            .compactMap { node -> (String, String)? in
                guard let name = node.name, name != "plugin" else { return nil }
                return (name, node.stringValue ?? "")
            }
            .sorted { $0.0 < $1.0 }
        for (name, value) in attributes { out += " \(name)=\"\(escape(value))\"" }
        out += ">"
        let children = element.children ?? []
        let hasElements = children.contains { $0.kind == .element }
        for child in children {
            switch child.kind {
            case .element:
                serialize(child as! XMLElement, into: &out)
            case .text:
                let text = child.stringValue ?? ""
                // Indentation between elements is layout; text inside a leaf element is content.
                if hasElements && text.allSatisfy({ $0.isWhitespace }) { continue }
                out += escape(text)
            default:
                continue  // comments and processing instructions do not configure anything
            }
        }
        out += "</" + (element.name ?? "") + ">"
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
