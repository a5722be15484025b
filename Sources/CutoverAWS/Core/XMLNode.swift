import CutoverCore

/// A parsed XML element as AWS Query-protocol and S3 answers need it: names without their namespace
/// prefix, the element's own text, and its child elements. Attributes are left out (AWS puts nothing
/// in them that cutover reads). Read by `XMLTree`, the binary's one XML reader.
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

    /// Parses a whole document; throws on input that is not well-formed.
    public static func parse(_ bytes: some Collection<UInt8>) throws(XMLParseError) -> XMLNode {
        XMLNode(try XMLTree(utf8: Array(bytes)).root)
    }

    private init(_ element: XMLTree.Element) {
        name = element.name.lastIndex(of: ":").map { String(element.name[element.name.index(after: $0)...]) } ?? element.name
        children = []
        text = ""
        for child in element.children {
            switch child {
            case .element(let element): children.append(XMLNode(element))
            case .text(let part): text += part
            }
        }
    }
}
