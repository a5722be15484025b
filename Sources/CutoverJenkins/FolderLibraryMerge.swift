import CutoverCore
import Foundation

/// Puts cutover's `LibraryConfiguration` into a folder's live config.xml (`jenkins.library: folder`)
/// without disturbing anything else there: views, other properties, other libraries of the same
/// `FolderLibraries` list, the description. Only the library named like cutover's is replaced (or
/// added); every other byte of the server's document is kept as it was.
public enum FolderLibraryMerge {
    static let propertiesTag = "properties"
    static let folderLibrariesTag = "org.jenkinsci.plugins.workflow.libs.FolderLibraries"
    static let librariesTag = "libraries"
    static let configurationTag = "org.jenkinsci.plugins.workflow.libs.LibraryConfiguration"

    /// The live `folder` config with `library` (a rendered `LibraryConfiguration` element) in its
    /// `FolderLibraries` property, replacing the library of the same `<name>` if there is one.
    /// Throws when the live config is not well-formed XML: a document cutover cannot read is not edited.
    public static func merging(_ library: String, into folder: String) throws -> String {
        // The declaration (Jenkins writes XML 1.1's) is kept as it is and the rest read: the ranges
        // index the rest.
        let body = JobConfig.withoutDeclaration(folder)
        guard let document = try? XMLTree(body) else {
            throw JenkinsError(.unreadableFolder, "the folder's config.xml on the server is not well-formed XML, so its library property is not edited: fix the folder's configuration in Jenkins, then register again")
        }
        let declaration = String(decoding: folder.utf8.prefix(folder.utf8.count - body.utf8.count), as: UTF8.self)
        return declaration + (try merging(library, into: document))
    }

    private static func merging(_ library: String, into folder: XMLTree) throws -> String {
        guard let rendered = try? XMLTree(library), rendered.root.name == configurationTag else {
            throw JenkinsError(.unreadableFolder, "the rendered library configuration is not one \(configurationTag) element (check an overridden xml/library-configuration template)")
        }
        let name = rendered.root.elements(named: "name").first.map { rendered.text($0.contentRange) }
        let element = library.trimmingCharacters(in: .whitespacesAndNewlines)
        let root = folder.root

        guard let properties = root.elements(named: propertiesTag).first else {
            // No <properties> at all (hand-written XML): add one as the root's first child.
            let indent = "  "
            return folder.replacing(root.contentRange.lowerBound..<root.contentRange.lowerBound,
                                    with: "\n\(indent)" + wrapped(element, in: [propertiesTag, folderLibrariesTag, librariesTag], indent: indent))
        }
        guard let folderLibraries = properties.elements(named: folderLibrariesTag).first else {
            return insert(wrapped(element, in: [folderLibrariesTag, librariesTag], indent: childIndent(folder, properties)),
                          into: properties, folder, rebuilding: propertiesTag)
        }
        guard let libraries = folderLibraries.elements(named: librariesTag).first else {
            return insert(wrapped(element, in: [librariesTag], indent: childIndent(folder, folderLibraries)),
                          into: folderLibraries, folder, rebuilding: folderLibrariesTag)
        }
        if let existing = libraries.elements(named: configurationTag).first(where: { candidate in
            candidate.elements(named: "name").first.map { folder.text($0.contentRange).trimmingCharacters(in: .whitespacesAndNewlines) } == name
        }) {
            // The old element's own indentation stays in front of it; the new one's later lines follow it.
            let indent = folder.indentation(ofLineAt: existing.range.lowerBound)
            return folder.replacing(existing.range, with: String(indented(element, indent).dropFirst(indent.count)))
        }
        return insert(indented(element, childIndent(folder, libraries)), into: libraries, folder, rebuilding: librariesTag)
    }

    /// `element` appended as the last child of `parent` (a self-closing parent is opened up).
    private static func insert(_ element: String, into parent: XMLTree.Element, _ folder: XMLTree, rebuilding tag: String) -> String {
        let indent = folder.indentation(ofLineAt: parent.range.lowerBound)
        if parent.selfClosing {
            return folder.replacing(parent.range, with: "<\(tag)>\n\(element)\n\(indent)</\(tag)>")
        }
        // Before the end tag, after the last child: the text between them (the end tag's own
        // indentation) moves after the new element.
        let anchor = parent.elements.last?.range.upperBound ?? parent.contentRange.lowerBound
        return folder.replacing(anchor..<anchor, with: "\n" + element)
    }

    /// The indentation of `parent`'s children: its first child's, else one step deeper than itself.
    private static func childIndent(_ folder: XMLTree, _ parent: XMLTree.Element) -> String {
        if let first = parent.elements.first { return folder.indentation(ofLineAt: first.range.lowerBound) }
        return folder.indentation(ofLineAt: parent.range.lowerBound) + "  "
    }

    /// `element` inside the nested `tags` (outermost first), starting at `indent`.
    private static func wrapped(_ element: String, in tags: [String], indent: String) -> String {
        guard let tag = tags.first else { return indented(element, indent) }
        return "\(indent)<\(tag)>\n" + wrapped(element, in: Array(tags.dropFirst()), indent: indent + "  ") + "\n\(indent)</\(tag)>"
    }

    /// Every line of `element` prefixed with `indent` (the first line too).
    private static func indented(_ element: String, _ indent: String) -> String {
        element.split(separator: "\n", omittingEmptySubsequences: false).map { indent + $0 }.joined(separator: "\n")
    }
}

/// A folder's document edited through its byte ranges.
private extension XMLTree {
    /// The document with `range` replaced by `text`.
    func replacing(_ range: Range<Int>, with text: String) -> String {
        String(decoding: utf8[..<range.lowerBound], as: UTF8.self) + text + String(decoding: utf8[range.upperBound...], as: UTF8.self)
    }

    /// The whitespace that starts the line `offset` is on, for indenting an inserted element like its neighbours.
    func indentation(ofLineAt offset: Int) -> String {
        var start = offset
        while start > 0, utf8[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        var end = start
        while end < utf8.count, utf8[end] == UInt8(ascii: " ") || utf8[end] == UInt8(ascii: "\t") { end += 1 }
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }
}
