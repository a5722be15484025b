import CutoverCore
import CutoverHTTP
import CutoverJenkins
import CutoverRender
import CutoverTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `jenkins.library: folder` against the emulator: `register` puts cutover's library into an existing
/// environment folder and keeps everything people put there — a view, another library in the same
/// property, another property, the description — byte for byte.
@Suite("The folder library property, registered")
struct FolderLibraryRegistrationTests {
    static let folder = "releases/spectate/staging"

    /// A folder as a person left it: their description, a list view, a folder credentials property,
    /// their own library beside an out-of-date cutover one (an old branch), a comment.
    static let handMade = """
        <?xml version='1.1' encoding='UTF-8'?>
        <com.cloudbees.hudson.plugins.folder.Folder plugin="cloudbees-folder@6.955.v81e2a_35c08d3">
          <actions/>
          <description>Staging releases — ask #release before editing</description>
          <properties>
            <com.cloudbees.hudson.plugins.folder.properties.FolderCredentialsProvider_-FolderCredentialsProperty>
              <domainCredentialsMap class="hudson.util.CopyOnWriteMap$Hash"/>
            </com.cloudbees.hudson.plugins.folder.properties.FolderCredentialsProvider_-FolderCredentialsProperty>
            <org.jenkinsci.plugins.workflow.libs.FolderLibraries plugin="pipeline-groovy-lib@752.vdddedf804e72">
              <libraries>
                <org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>
                  <name>team-utils</name>
                  <retriever class="org.jenkinsci.plugins.workflow.libs.SCMSourceRetriever">
                    <clone>false</clone>
                    <scm class="jenkins.plugins.git.GitSCMSource" plugin="git@5.2.2">
                      <id>b0f4c3aa</id>
                      <remote>https://git.example.com/team/utils.git</remote>
                      <traits/>
                    </scm>
                  </retriever>
                  <defaultVersion>v2</defaultVersion>
                  <implicit>true</implicit>
                  <allowVersionOverride>true</allowVersionOverride>
                  <includeInChangesets>true</includeInChangesets>
                </org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>
                <!-- cutover's, from before the branch moved -->
                <org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>
                  <name>cutover</name>
                  <defaultVersion>old-branch</defaultVersion>
                </org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>
              </libraries>
            </org.jenkinsci.plugins.workflow.libs.FolderLibraries>
          </properties>
          <folderViews class="com.cloudbees.hudson.plugins.folder.views.DefaultFolderViewHolder">
            <views>
              <hudson.model.AllView>
                <owner class="com.cloudbees.hudson.plugins.folder.Folder" reference="../../../.."/>
                <name>All</name>
                <filterExecutors>false</filterExecutors>
                <filterQueue>false</filterQueue>
                <properties class="hudson.model.View$PropertyList"/>
              </hudson.model.AllView>
              <hudson.model.ListView>
                <owner class="com.cloudbees.hudson.plugins.folder.Folder" reference="../../../.."/>
                <name>Promotions</name>
                <jobNames><string>promote</string></jobNames>
              </hudson.model.ListView>
            </views>
            <primaryView>Promotions</primaryView>
            <tabBar class="hudson.views.DefaultViewsTabBar"/>
          </folderViews>
          <healthMetrics/>
          <icon class="com.cloudbees.hudson.plugins.folder.icons.StockFolderIcon"/>
        </com.cloudbees.hudson.plugins.folder.Folder>

        """

    static func setup() throws -> (JenkinsEmulator, Registrar) {
        let emulator = try JenkinsEmulator()
        let client = JenkinsRESTClient(baseURL: emulator.url, credentials: JenkinsCredentials(user: emulator.user, token: emulator.token),
                                       transport: AsyncHTTPTransport(), retry: RetryPolicy(base: .milliseconds(5)), timeout: .seconds(5))
        return (emulator, Registrar(jenkins: client, concurrency: 8, managedMarker: Renderer.managedMarker, serverLabel: emulator.url.absoluteString))
    }

    static func register(_ registrar: Registrar, _ config: Config, dryRun: Bool = false) async throws -> [RegistrationStep] {
        let desired = try DesiredItem.all(for: config, renderer: Renderer())
        let plan = try await registrar.plan(desired, pruneScopes: [])
        return dryRun ? plan : await registrar.apply(plan, desired: desired)
    }

    @Test func anExistingFolderGetsTheLibraryAndKeepsEverythingElse() async throws {
        let (emulator, registrar) = try Self.setup()
        let config = try ConfigVariants.example(with: ConfigVariants.folderLibrary)
        try emulator.seed(["releases": try Renderer().folderXML(description: "x"),
                           "releases/spectate": try Renderer().folderXML(description: "x"),
                           Self.folder: Self.handMade])
        try emulator.reset()

        // The dry run shows the one change, headed by the folder's URL.
        let preview = try await Self.register(registrar, config, dryRun: true)
        let step = try #require(preview.first { $0.path.description == Self.folder })
        #expect(step.action == .update)
        let diff = try #require(step.diff)
        #expect(diff.hasPrefix("--- \(emulator.url.absoluteString)/job/releases/job/spectate/job/staging/config.xml\n"))
        #expect(diff.contains("-          <defaultVersion>old-branch</defaultVersion>") && diff.contains("+          <defaultVersion>main</defaultVersion>"))
        #expect(!diff.contains("team-utils") && !diff.contains("Promotions"))
        #expect(try emulator.requests().filter { $0.method == "POST" }.isEmpty)

        let steps = try await Self.register(registrar, config)
        #expect(steps.allSatisfy { $0.error == nil }, "\(steps.compactMap(\.error))")
        let stored = try #require(try emulator.items()[Self.folder]?.config)
        let document = try XMLDocument(xmlString: stored)
        let libraries = try document.nodes(forXPath: "//org.jenkinsci.plugins.workflow.libs.FolderLibraries/libraries/org.jenkinsci.plugins.workflow.libs.LibraryConfiguration/name")
        #expect(libraries.map(\.stringValue) == ["team-utils", "cutover"])
        #expect(try document.nodes(forXPath: "//org.jenkinsci.plugins.workflow.libs.LibraryConfiguration[name='cutover']/defaultVersion").first?.stringValue == "main")
        // Everything but cutover's library is the server's own text, byte for byte.
        let cutover = try #require(stored.range(of: "<org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>\n          <name>cutover</name>"))
        let original = try #require(Self.handMade.range(of: "<org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>\n          <name>cutover</name>"))
        #expect(stored[..<cutover.lowerBound] == Self.handMade[..<original.lowerBound])
        let storedTail = try #require(stored.range(of: "</org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>\n      </libraries>", options: .backwards))
        let originalTail = try #require(Self.handMade.range(of: "</org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>\n      </libraries>", options: .backwards))
        #expect(stored[storedTail.lowerBound...] == Self.handMade[originalTail.lowerBound...])

        // Registered again: nothing to do, no POST.
        try emulator.reset()
        let again = try await Self.register(registrar, config)
        #expect(again.first { $0.path.description == Self.folder }?.action == .exists)
        #expect(try emulator.requests().filter { $0.method == "POST" }.isEmpty)
    }

    @Test func aNewFolderIsCreatedWithTheProperty() async throws {
        let (emulator, registrar) = try Self.setup()
        let config = try ConfigVariants.example(with: ConfigVariants.folderLibrary)
        let steps = try await Self.register(registrar, config)
        #expect(steps.allSatisfy { $0.action == .create && $0.error == nil })
        let rendered = try Renderer().render(config).first { $0.path == "production/config.xml" }?.contents
        #expect(try emulator.items()["releases/spectate/production"]?.config == rendered)
        try emulator.reset()
        let again = try await Self.register(registrar, config)
        #expect(again.allSatisfy { $0.action == .exists || $0.action == .unchanged })
    }

    @Test func theMergeAddsThePropertyWhereverTheFolderLacksIt() throws {
        let library = try #require(try Renderer().folderLibraryXML(try ConfigVariants.example(with: ConfigVariants.folderLibrary),
                                                                    try ConfigVariants.example(with: ConfigVariants.folderLibrary).environments[0]))
        let shapes = [
            "<com.cloudbees.hudson.plugins.folder.Folder>\n  <description>d</description>\n  <properties/>\n</com.cloudbees.hudson.plugins.folder.Folder>",
            "<com.cloudbees.hudson.plugins.folder.Folder>\n  <properties>\n    <x.Other><a>1</a></x.Other>\n  </properties>\n</com.cloudbees.hudson.plugins.folder.Folder>",
            "<com.cloudbees.hudson.plugins.folder.Folder>\n  <properties>\n    <org.jenkinsci.plugins.workflow.libs.FolderLibraries>\n      <libraries/>\n    </org.jenkinsci.plugins.workflow.libs.FolderLibraries>\n  </properties>\n</com.cloudbees.hudson.plugins.folder.Folder>",
            "<com.cloudbees.hudson.plugins.folder.Folder><description>no properties</description></com.cloudbees.hudson.plugins.folder.Folder>",
        ]
        for shape in shapes {
            let merged = try FolderLibraryMerge.merging(library, into: shape)
            let document = try XMLDocument(xmlString: merged)
            #expect(try document.nodes(forXPath: "/*/properties/org.jenkinsci.plugins.workflow.libs.FolderLibraries/libraries/org.jenkinsci.plugins.workflow.libs.LibraryConfiguration[name='cutover']").count == 1, "\(merged)")
            // Idempotent: merging again changes nothing.
            #expect(try FolderLibraryMerge.merging(library, into: merged) == merged)
        }
        #expect(try FolderLibraryMerge.merging(library, into: shapes[1]).contains("<x.Other><a>1</a></x.Other>"))
        #expect(throws: JenkinsError.self) { try FolderLibraryMerge.merging(library, into: "<folder><properties></folder>") }
    }

    /// Jenkins' XML 1.1 declaration, CR LF line ends (a config edited on Windows), a comment and another
    /// team's library: the merge splices cutover's library in after the last one and every other byte
    /// of the server's document stays where it was.
    @Test func theMergeKeepsEveryByteItDoesNotOwn() throws {
        let config = try ConfigVariants.example(with: ConfigVariants.folderLibrary)
        let library = try #require(try Renderer().folderLibraryXML(config, config.environments[0]))
        let head = "<?xml version='1.1' encoding='UTF-8'?>\r\n<com.cloudbees.hudson.plugins.folder.Folder plugin=\"cloudbees-folder@6.9\">\r\n"
            + "  <!-- kept -->\r\n  <properties>\r\n    <org.jenkinsci.plugins.workflow.libs.FolderLibraries>\r\n      <libraries>\r\n"
            + "        <org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>\r\n          <name>shared</name>\r\n"
            + "        </org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>"
        let tail = "\r\n      </libraries>\r\n    </org.jenkinsci.plugins.workflow.libs.FolderLibraries>\r\n  </properties>\r\n"
            + "  <views><hudson.model.AllView><name>All</name></hudson.model.AllView></views>\r\n</com.cloudbees.hudson.plugins.folder.Folder>\r\n"
        let merged = try FolderLibraryMerge.merging(library, into: head + tail)
        #expect(merged.hasPrefix(head) && merged.hasSuffix(tail), "\(merged.debugDescription)")
        let inserted = String(merged.dropFirst(head.count).dropLast(tail.count))
        #expect(inserted.hasPrefix("\n        <org.jenkinsci.plugins.workflow.libs.LibraryConfiguration>") && inserted.contains("<name>cutover</name>"), "\(inserted)")
        #expect(try FolderLibraryMerge.merging(library, into: merged) == merged, "merging again changes nothing")
    }
}
