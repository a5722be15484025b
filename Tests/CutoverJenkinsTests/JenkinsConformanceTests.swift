import CutoverHTTP
import CutoverJenkins
import CutoverTesting
import Foundation
import Testing

/// One contract, two implementations: the in-memory fake the step logic is tested with, and the REST
/// client against the emulator. If they disagree, a step test could pass against a fake that lies.
@Suite("JenkinsAPI conformance")
struct JenkinsConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory, rest
        var testDescription: String { rawValue }
    }

    /// The API under test, and the emulator that must outlive it.
    static func make(_ backend: Backend) throws -> (any JenkinsAPI, JenkinsEmulator?) {
        switch backend {
        case .memory:
            return (InMemoryJenkins(), nil)
        case .rest:
            let emulator = try JenkinsEmulator()
            try emulator.configure(queueDelay: 0.05, lineInterval: 0.01)
            let client = JenkinsRESTClient(baseURL: emulator.url, credentials: JenkinsCredentials(user: emulator.user, token: emulator.token),
                                           transport: AsyncHTTPTransport())
            return (client, emulator)
        }
    }

    static let folderXML = "<?xml version='1.1' encoding='UTF-8'?>\n<com.cloudbees.hudson.plugins.folder.Folder plugin=\"cloudbees-folder\"><description>f</description></com.cloudbees.hudson.plugins.folder.Folder>\n"
    static func jobXML(_ description: String) -> String {
        """
        <?xml version='1.1' encoding='UTF-8'?>
        <flow-definition plugin="workflow-job"><description>\(description)</description><properties><hudson.model.ParametersDefinitionProperty><parameterDefinitions><hudson.model.StringParameterDefinition><name>RELEASE</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition></parameterDefinitions></hudson.model.ParametersDefinitionProperty></properties><definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition"><script>pipeline {}</script><sandbox>true</sandbox></definition></flow-definition>

        """
    }

    @Test(arguments: Backend.allCases)
    func itemsLifecycle(backend: Backend) async throws {
        let (jenkins, emulator) = try Self.make(backend)
        defer { _ = emulator }
        let folder = ItemPath(["releases"]), nested = ItemPath(["releases", "staging"]), job = ItemPath(["releases", "staging", "promote"])
        #expect(try await jenkins.config(of: job) == nil)
        #expect(try await jenkins.children(of: nested) == nil)
        try await jenkins.create(folder, config: Self.folderXML)
        try await jenkins.create(nested, config: Self.folderXML)
        try await jenkins.create(job, config: Self.jobXML("v1"))
        #expect(try await jenkins.config(of: job) == Self.jobXML("v1"))
        #expect(try await jenkins.children(of: ItemPath([]))?.map(\.path) == [folder])
        #expect(try await jenkins.children(of: nested)?.map { "\($0.path) \($0.kind)" } == ["releases/staging/promote job"])
        #expect(try await jenkins.children(of: folder)?.first?.kind == .folder)

        await #expect(throws: JenkinsError.self) { try await jenkins.create(job, config: Self.jobXML("again")) }
        do {
            try await jenkins.create(job, config: Self.jobXML("again"))
        } catch let error as JenkinsError {
            #expect(error.kind == .rejected && error.status == 400)
        }
        do {
            try await jenkins.create(ItemPath(["nowhere", "x"]), config: Self.jobXML("x"))
            Issue.record("created in a missing folder")
        } catch let error as JenkinsError {
            #expect(error.kind == .notFound && error.status == 404)
        }

        try await jenkins.update(job, config: Self.jobXML("v2"))
        #expect(try await jenkins.config(of: job) == Self.jobXML("v2"))
        try await jenkins.delete(nested)
        #expect(try await jenkins.config(of: job) == nil)
        #expect(try await jenkins.config(of: nested) == nil)
        #expect(try await jenkins.config(of: folder) != nil)
    }

    @Test(arguments: Backend.allCases)
    func buildsLeaveTheQueueAndFinish(backend: Backend) async throws {
        let (jenkins, emulator) = try Self.make(backend)
        defer { _ = emulator }
        let job = ItemPath(["promote"])
        try await jenkins.create(job, config: Self.jobXML("job"))
        #expect(try await jenkins.buildInfo(job, number: nil) == nil)
        let id = try await jenkins.build(job, parameters: [("RELEASE", "r 1&2")])
        var number: Int?
        for _ in 0..<100 where number == nil {
            if case .started(let started, _) = try await jenkins.queueItem(id) { number = started } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        let build = try #require(number)
        var text = "", offset = 0
        for _ in 0..<200 {
            let chunk = try await jenkins.console(job, number: build, from: offset)
            text += chunk.text
            offset = chunk.nextOffset
            if !chunk.more { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(text.contains("RELEASE=r 1&2"))
        #expect(text.hasSuffix("Finished: SUCCESS\n"))
        var info = try await jenkins.buildInfo(job, number: build)
        for _ in 0..<50 where info?.building == true {
            try await Task.sleep(for: .milliseconds(50))
            info = try await jenkins.buildInfo(job, number: build)
        }
        #expect(info?.result == "SUCCESS")
        #expect(try await jenkins.buildInfo(job, number: nil)?.number == build)
    }
}
