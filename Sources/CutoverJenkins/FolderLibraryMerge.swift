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
        guard (try? XMLTree(JobConfig.withoutDeclaration(folder))) != nil,
              let outline = XMLOutline(folder) else {
            throw JenkinsError(.unreadableFolder, "the folder's config.xml on the server is not well-formed XML, so its library property is not edited: fix the folder's configuration in Jenkins, then register again")
        }
        guard let libraryOutline = XMLOutline(library), libraryOutline.root.name == configurationTag else {
            throw JenkinsError(.unreadableFolder, "the rendered library configuration is not one \(configurationTag) element (check an overridden xml/library-configuration template)")
        }
        let name = libraryOutline.root.children.first { $0.name == "name" }.map(libraryOutline.content(of:))
        let element = library.trimmingCharacters(in: .whitespacesAndNewlines)
        let root = outline.root

        guard let properties = root.children.first(where: { $0.name == propertiesTag }) else {
            // No <properties> at all (hand-written XML): add one as the root's first child.
            let indent = "  "
            return outline.replacing(root.contentStart..<root.contentStart,
                                     with: "\n\(indent)" + wrapped(element, in: [propertiesTag, folderLibrariesTag, librariesTag], indent: indent))
        }
        guard let folderLibraries = properties.children.first(where: { $0.name == folderLibrariesTag }) else {
            return insert(wrapped(element, in: [folderLibrariesTag, librariesTag], indent: childIndent(outline, properties)),
                          into: properties, outline, rebuilding: propertiesTag)
        }
        guard let libraries = folderLibraries.children.first(where: { $0.name == librariesTag }) else {
            return insert(wrapped(element, in: [librariesTag], indent: childIndent(outline, folderLibraries)),
                          into: folderLibraries, outline, rebuilding: folderLibrariesTag)
        }
        if let existing = libraries.children.first(where: { candidate in
            candidate.name == configurationTag
                && candidate.children.first(where: { $0.name == "name" }).map { outline.content(of: $0).trimmingCharacters(in: .whitespacesAndNewlines) } == name
        }) {
            // The old element's own indentation stays in front of it; the new one's later lines follow it.
            let indent = outline.indentation(ofLineAt: existing.start)
            return outline.replacing(existing.start..<existing.end, with: String(indented(element, indent).dropFirst(indent.count)))
        }
        return insert(indented(element, childIndent(outline, libraries)), into: libraries, outline, rebuilding: librariesTag)
    }

    /// `element` appended as the last child of `parent` (a self-closing parent is opened up).
    private static func insert(_ element: String, into parent: XMLOutline.Element, _ outline: XMLOutline,
                               rebuilding tag: String) -> String {
        let indent = outline.indentation(ofLineAt: parent.start)
        if parent.selfClosing {
            return outline.replacing(parent.start..<parent.end, with: "<\(tag)>\n\(element)\n\(indent)</\(tag)>")
        }
        // Before the end tag, after the last child: the text between them (the end tag's own
        // indentation) moves after the new element.
        let anchor = parent.children.last?.end ?? parent.contentStart
        return outline.replacing(anchor..<anchor, with: "\n" + element)
    }

    /// The indentation of `parent`'s children: its first child's, else one step deeper than itself.
    private static func childIndent(_ outline: XMLOutline, _ parent: XMLOutline.Element) -> String {
        if let first = parent.children.first { return outline.indentation(ofLineAt: first.start) }
        return outline.indentation(ofLineAt: parent.start) + "  "
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
