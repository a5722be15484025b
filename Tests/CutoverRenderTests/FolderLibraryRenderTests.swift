import CutoverCore
@testable import CutoverRender
import CutoverTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `jenkins.library: folder`: the environment folder carries the library property, the Jenkinsfiles
/// only name the library, and no value can break the XML.
@Suite("The library as a folder property")
struct FolderLibraryRenderTests {
    static let configuration = "/com.cloudbees.hudson.plugins.folder.Folder/properties/org.jenkinsci.plugins.workflow.libs.FolderLibraries/libraries/org.jenkinsci.plugins.workflow.libs.LibraryConfiguration"

    static func value(_ document: XMLDocument, _ path: String) throws -> String? {
        try document.nodes(forXPath: configuration + path).first?.stringValue
    }

    @Test func theKeyIsReadAndInlineIsTheDefault() throws {
        #expect(try Fixtures.example().jenkins.library == .inline)
        #expect(try ConfigVariants.example(with: ConfigVariants.folderLibrary).jenkins.library == .folder)
        let problems = Fixtures.diagnostics(Fixtures.minimalYAML(jenkinsExtra: "  library: global"))
        #expect(problems.count == 1)
        #expect(problems.first?.path == "jenkins.library")
        #expect(problems.first?.message == "'global' is not a way to load the library")
        #expect(problems.first?.hint.contains("`inline`") == true && problems.first?.hint.contains("`folder`") == true)
        #expect(problems.first.map { "\($0.location.line):\($0.location.column)" } == "6:12")
    }

    @Test func theEnvironmentFolderHoldsTheLibraryAndTheJenkinsfilesNameIt() throws {
        let config = try ConfigVariants.example(with: ConfigVariants.folderLibrary)
        let files = try Renderer().render(config)
        let folder = try #require(files.first { $0.path == "staging/config.xml" })
        try RenderedGolden.check("folder-library-config.xml", folder.contents)
        let document = try XMLDocument(xmlString: folder.contents)
        #expect(try Self.value(document, "/name") == "cutover")
        #expect(try Self.value(document, "/defaultVersion") == "main")
        #expect(try Self.value(document, "/implicit") == "false")
        #expect(try Self.value(document, "/includeInChangesets") == "false")
        #expect(try Self.value(document, "/retriever/@class") == "org.jenkinsci.plugins.workflow.libs.SCMSourceRetriever")
        #expect(try Self.value(document, "/retriever/scm/@class") == "jenkins.plugins.git.GitSCMSource")
        #expect(try Self.value(document, "/retriever/scm/remote") == "https://git.example.com/spectate/release.git")
        #expect(try Self.value(document, "/retriever/scm/credentialsId") == "git-spectate-deploy")
        #expect(try Self.value(document, "/retriever/libraryPath") == "jenkins/library/")
        // The element register merges into an existing folder is the one in the rendered folder.
        let element = try #require(try Renderer().folderLibraryXML(config, config.environments[0]))
        #expect(try XMLDocument(xmlString: element).rootElement()?.name == "org.jenkinsci.plugins.workflow.libs.LibraryConfiguration")
        for file in files where file.path.hasSuffix("/Jenkinsfile") {
            #expect(file.contents.contains("\nlibrary 'cutover@main'\n"), "\(file.path)")
            #expect(!file.contents.contains("modernSCM"), "\(file.path)")
        }
        // Parent folders and the inline default carry no library property.
        let inline = try Renderer().render(try Fixtures.example())
        #expect(inline.first { $0.path == "staging/config.xml" }?.contents.contains("FolderLibraries") == false)
    }

    @Test func hostileValuesStayTextInTheFolderXML() throws {
        var config = try ConfigVariants.example(with: ConfigVariants.folderLibrary)
        let hostile = HostileRenderTests.hostile.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\t", with: "")
        config.jenkins.source.url = hostile
        config.jenkins.source.branch = hostile
        config.jenkins.source.credential = hostile
        config.jenkins.renderedPath = hostile
        let files = try Renderer().render(config)
        let document = try XMLDocument(xmlString: try #require(files.first { $0.path == "staging/config.xml" }).contents)
        #expect(try Self.value(document, "/retriever/scm/remote") == hostile)
        #expect(try Self.value(document, "/defaultVersion") == hostile)
        #expect(try Self.value(document, "/retriever/scm/credentialsId") == hostile)
        #expect(try Self.value(document, "/retriever/libraryPath") == "\(hostile)/library/")
        #expect(try document.nodes(forXPath: "//org.jenkinsci.plugins.workflow.libs.LibraryConfiguration").count == 1)
        // The Jenkinsfile's library step carries the branch as one Groovy string.
        let promote = try #require(files.first { $0.path == "staging/promote/Jenkinsfile" })
        #expect(promote.contents.contains("library 'cutover@\(Escape.groovySingleQuoted(hostile))'"))
    }
}
