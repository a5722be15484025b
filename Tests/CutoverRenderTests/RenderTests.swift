import CutoverCore
import CutoverRender
import CutoverTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite("Rendering")
struct RenderTests {
    @Test func committedOutputMatchesAFreshRender() throws {
        // jenkins/ is the golden output of examples/spectate.yml. To accept a deliberate change, run
        // `swift run cutover render -c examples/spectate.yml` and commit the result.
        let files = try Renderer().render(try Fixtures.example())
        let changes = try OutputDirectory(path: Paths.repo("jenkins")).compare(files, environments: nil)
        let drift = changes.filter { $0.kind != .unchanged }
        #expect(drift.map { "\($0.kind): \($0.path)" } == [])
        #expect(files.filter { !$0.path.hasPrefix("library/") }.count == 18)
        // The library: ten steps with their help, the exit-code resource and the README.
        #expect(files.filter { $0.path.hasPrefix("library/") }.count == 22)
    }

    @Test func renderingIsDeterministic() throws {
        let config = try Fixtures.example()
        let first = try Renderer().render(config)
        for _ in 0..<3 {
            #expect(try Renderer().render(config) == first)
        }
    }

    @Test func everyEnvironmentGetsFourPipelinesAndAFolder() throws {
        let paths = try Renderer().render(try Fixtures.example()).map(\.path)
        for env in ["staging", "production"] {
            #expect(paths.contains("\(env)/config.xml"))
            for pipeline in ["db-migration", "service-deploy", "promote", "rollback"] {
                #expect(paths.contains("\(env)/\(pipeline)/Jenkinsfile"))
                #expect(paths.contains("\(env)/\(pipeline)/config.xml"))
            }
        }
    }

    @Test func jobXMLParsesBackToTheJenkinsfileAndItsProperties() throws {
        let files = try Renderer().render(try Fixtures.example())
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.contents) })
        for file in files where file.path.hasSuffix("/config.xml") && file.path.split(separator: "/").count == 3 {
            let document = try XMLDocument(xmlString: file.contents)
            let root = try #require(document.rootElement())
            #expect(root.name == "flow-definition")
            let jenkinsfile = try #require(byPath[file.path.replacingOccurrences(of: "config.xml", with: "Jenkinsfile")])
            let script = try document.nodes(forXPath: "/flow-definition/definition[@class='org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition']/script")
            #expect(script.count == 1)
            #expect(script.first?.stringValue == jenkinsfile)
            #expect(try document.nodes(forXPath: "//definition/sandbox").first?.stringValue == "true")
            #expect(try document.nodes(forXPath: "//jenkins.model.BuildDiscarderProperty/strategy/numToKeep").first?.stringValue == "50")
            #expect(try document.nodes(forXPath: "//org.jenkinsci.plugins.workflow.job.properties.DisableConcurrentBuildsJobProperty").count == 1)
            let description = try document.nodes(forXPath: "/flow-definition/description").first?.stringValue ?? ""
            #expect(description.hasSuffix(Renderer.managedMarker))
            // The job's parameters are the ones the Jenkinsfile declares: one source, two renderings.
            let xmlParameters = try document.nodes(forXPath: "//hudson.model.StringParameterDefinition/name").compactMap(\.stringValue)
            let declared = jenkinsfile.split(separator: "\n").compactMap { line -> String? in
                guard let range = line.range(of: "string(name: '"), line.contains("defaultValue") else { return nil }
                return String(line[range.upperBound...].prefix { $0 != "'" })
            }
            #expect(!xmlParameters.isEmpty)
            #expect(xmlParameters == declared, "\(file.path)")
        }
    }

    @Test func folderXMLIsACloudBeesFolder() throws {
        let files = try Renderer().render(try Fixtures.example())
        let folder = try #require(files.first { $0.path == "production/config.xml" })
        let document = try XMLDocument(xmlString: folder.contents)
        #expect(document.rootElement()?.name == "com.cloudbees.hudson.plugins.folder.Folder")
        #expect(try document.nodes(forXPath: "/*/description").first?.stringValue == "Release pipelines of spectate for production. \(Renderer.managedMarker)")
    }

    @Test func scmPipelineSourceReadsTheRenderedJenkinsfileFromTheRepository() throws {
        var config = try Fixtures.example()
        config.jenkins.pipelineSource = .scm
        let files = try Renderer().render(config)
        let job = try #require(files.first { $0.path == "staging/promote/config.xml" })
        let document = try XMLDocument(xmlString: job.contents)
        let definition = try #require(try document.nodes(forXPath: "/flow-definition/definition").first as? XMLElement)
        #expect(definition.attribute(forName: "class")?.stringValue == "org.jenkinsci.plugins.workflow.cps.CpsScmFlowDefinition")
        #expect(try document.nodes(forXPath: "//scriptPath").first?.stringValue == "jenkins/staging/promote/Jenkinsfile")
        #expect(try document.nodes(forXPath: "//hudson.plugins.git.UserRemoteConfig/url").first?.stringValue == "https://git.example.com/spectate/release.git")
        #expect(try document.nodes(forXPath: "//hudson.plugins.git.BranchSpec/name").first?.stringValue == "*/main")
        #expect(try document.nodes(forXPath: "//script").isEmpty)
    }

    @Test func noDatabaseMeansNoMigrationPipeline() throws {
        var config = try Fixtures.example()
        config.environments[0].database = nil
        let paths = try Renderer().render(config).map(\.path)
        #expect(!paths.contains("staging/db-migration/Jenkinsfile"))
        #expect(paths.contains("production/db-migration/Jenkinsfile"))
    }

    @Test func overrideTemplatesReplaceOnlyWhatTheyName() throws {
        let dir = try Paths.temporaryDirectory("templates")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("partials"), withIntermediateDirectories: true)
        try "// Team header for {{environment}}: it's ours\n".write(to: dir.appendingPathComponent("partials/header.mustache"), atomically: true, encoding: .utf8)
        let templates = try TemplateSet(overrides: dir.path)
        #expect(templates.overridden == ["partials/header"])
        let files = try Renderer(templates: templates).render(try Fixtures.example())
        let promote = try #require(files.first { $0.path == "staging/promote/Jenkinsfile" })
        // The value is escaped for Groovy by the content type the folder implies, even in a user's template.
        // The team's header replaces cutover's; the library loading and the pipeline follow it.
        #expect(promote.contents.hasPrefix("// Team header for staging: it's ours\n// The steps (cutoverPromote, ...) come from the shared library"))
        #expect(promote.contents.contains("\npipeline {\n"))
    }

    @Test func anOverrideThatMatchesNoTemplateIsAnError() throws {
        let dir = try Paths.temporaryDirectory("templates")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "x".write(to: dir.appendingPathComponent("promte.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: RenderError.self) { try TemplateSet(overrides: dir.path) }
    }

    @Test func embeddedTemplatesMatchTheTemplatesDirectory() throws {
        // The binary carries templates/ compiled in; scripts/embed-templates regenerates them.
        let onDisk = try TemplateSet(overrides: Paths.repo("templates"))
        #expect(onDisk.sources == TemplateSet().sources)
        #expect(onDisk.overridden.count == TemplateSet().sources.count)
    }

    @Test func templatesNeverBypassEscaping() throws {
        for (name, source) in TemplateSet().sources {
            let open = name.hasPrefix("ansible/") ? "<%" : "{{"
            #expect(!source.contains(open + "{") && !source.contains(open + "&"), "\(name) uses an unescaped tag")
        }
    }

    @Test func embeddedResourcesMatchTheTemplatesDirectory() throws {
        let callback = try String(contentsOfFile: Paths.repo("templates/ansible/cutover_result.py"), encoding: .utf8)
        #expect(PlaybookRenderer.resource("ansible/cutover_result.py") == callback)
    }
}
