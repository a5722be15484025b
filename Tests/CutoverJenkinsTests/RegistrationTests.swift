import CutoverCore
import CutoverHTTP
import CutoverJenkins
import CutoverRender
import CutoverTesting
import Foundation
import Testing

/// `register` against the emulator: the request log proves what was (and was not) sent.
@Suite("Registration against the Jenkins emulator")
struct RegistrationTests {
    struct Setup {
        let emulator: JenkinsEmulator
        let client: JenkinsRESTClient
        let registrar: Registrar

        init(emulatorArguments: [String] = [], retry: RetryPolicy = RetryPolicy(base: .milliseconds(5)), timeout: Duration = .seconds(5)) throws {
            emulator = try JenkinsEmulator(arguments: emulatorArguments)
            client = JenkinsRESTClient(baseURL: emulator.url, credentials: JenkinsCredentials(user: emulator.user, token: emulator.token),
                                       transport: AsyncHTTPTransport(), retry: retry, timeout: timeout)
            registrar = Registrar(jenkins: client, concurrency: 8, managedMarker: Renderer.managedMarker, serverLabel: emulator.url.absoluteString)
        }

        func register(_ config: Config, prune: Bool = false) async throws -> [RegistrationStep] {
            let desired = try DesiredItem.all(for: config, renderer: Renderer())
            let scopes = prune ? config.environments.map { ItemPath(config.jenkins.folder).appending($0.name) } : []
            return await registrar.apply(try await registrar.plan(desired, pruneScopes: scopes), desired: desired)
        }

        func posts() throws -> [String] {
            try emulator.requests().filter { $0.method == "POST" }.map(\.path).sorted()
        }
    }

    static func actions(_ steps: [RegistrationStep]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: steps.map { ($0.path.description, $0.action.rawValue + ($0.error.map { " ERROR \($0)" } ?? "")) })
    }

    @Test func firstRegisterCreatesEverythingTheSecondSendsNoPost() async throws {
        let setup = try Setup()
        let config = try Fixtures.example()
        let first = try await setup.register(config)
        #expect(first.allSatisfy { $0.action == .create && $0.error == nil }, "\(Self.actions(first))")
        let items = try setup.emulator.items()
        #expect(items.count == 2 + 2 * 5)
        #expect(items["releases/spectate/staging/promote"]?.kind == "job")
        #expect(items["releases/spectate/production"]?.kind == "folder")
        let rendered = try Renderer().render(config)
        #expect(items["releases/spectate/staging/promote"]?.config == rendered.first { $0.path == "staging/promote/config.xml" }?.contents)

        try setup.emulator.reset()
        let second = try await setup.register(config)
        #expect(second.allSatisfy { $0.action == .unchanged || $0.action == .exists })
        #expect(try setup.posts() == [])
        // One config.xml read per item, nothing else but the crumb.
        #expect(try setup.emulator.requests().filter { $0.method == "GET" && $0.path.hasSuffix("config.xml") }.count == 12)
    }

    @Test func aNewSportUpdatesExactlyTheJobsThatChange() async throws {
        let setup = try Setup()
        _ = try await setup.register(try Fixtures.example())
        try setup.emulator.reset()
        let changed = try ConfigLoader.parse(try Fixtures.exampleText().replacingOccurrences(
            of: "sports: [football, tennis, basketball, horse-racing]", with: "sports: [football, tennis, basketball, horse-racing, golf]"),
            file: Fixtures.examplePath)
        let steps = try await setup.register(changed)
        // Only service-deploy has a stage per unit; promote and rollback run one command for every group.
        #expect(steps.filter { $0.action == .update }.map(\.path.description).sorted() == [
            "releases/spectate/production/service-deploy", "releases/spectate/staging/service-deploy",
        ])
        #expect(try setup.posts() == [
            "/job/releases/job/spectate/job/production/job/service-deploy/config.xml",
            "/job/releases/job/spectate/job/staging/job/service-deploy/config.xml",
        ])
    }

    @Test func aHandEditIsDetectedAndRestoredButJenkinsReformattingIsNot() async throws {
        let setup = try Setup()
        let config = try Fixtures.example()
        _ = try await setup.register(config)
        let items = try setup.emulator.items()
        let promote = try #require(items["releases/spectate/staging/promote"]?.config)
        let rollback = try #require(items["releases/spectate/staging/rollback"]?.config)
        // Someone edits promote in the UI; Jenkins re-saves rollback in its own style (plugin versions,
        // XML 1.1 declaration with double quotes, indentation, empty elements).
        let reformatted = rollback
            .replacingOccurrences(of: "<?xml version='1.1' encoding='UTF-8'?>", with: "<?xml version=\"1.1\" encoding=\"UTF-8\"?>")
            .replacingOccurrences(of: "plugin=\"workflow-job\"", with: "plugin=\"workflow-job@1436.vfa_244484591f\"")
            .replacingOccurrences(of: "plugin=\"workflow-cps\"", with: "plugin=\"workflow-cps@3964.v0767b_4b_a_0b_fa_\"")
            .replacingOccurrences(of: "\n  <keepDependencies>", with: "\n      <keepDependencies>")
            .replacingOccurrences(of: "<actions/>", with: "<actions></actions>")
        try setup.emulator.seed([
            "releases/spectate/staging/promote": promote.replacingOccurrences(of: "expect: &apos;green&apos;", with: "expect: &apos;blue&apos;"),
            "releases/spectate/staging/rollback": reformatted,
        ])
        try setup.emulator.reset()
        let steps = try await setup.register(config)
        #expect(Self.actions(steps)["releases/spectate/staging/promote"] == "updated")
        #expect(Self.actions(steps)["releases/spectate/staging/rollback"] == "unchanged")
        let diff = try #require(steps.first { $0.action == .update }?.diff)
        #expect(diff.contains("\n-") && diff.contains("expect: &apos;blue&apos;") && diff.contains("\n+") && diff.contains("expect: &apos;green&apos;"))
        #expect(diff.hasPrefix("--- \(setup.emulator.url.absoluteString)/job/releases/job/spectate/job/staging/job/promote/config.xml\n+++ jenkins/staging/promote/config.xml\n"))
        #expect(try setup.posts() == ["/job/releases/job/spectate/job/staging/job/promote/config.xml"])
        #expect(try setup.emulator.items()["releases/spectate/staging/promote"]?.config == promote)
    }

    @Test func pruneDeletesOnlyManagedJobs() async throws {
        let setup = try Setup()
        let config = try Fixtures.example()
        _ = try await setup.register(config)
        let managed = try #require(try setup.emulator.items()["releases/spectate/staging/promote"]?.config)
        try setup.emulator.seed([
            "releases/spectate/staging/old-pipeline": managed,
            "releases/spectate/staging/hand-made": "<flow-definition><description>made by a person</description></flow-definition>",
            "releases/other-team/job": managed,
        ])
        let steps = try await setup.register(config, prune: true)
        let actions = Self.actions(steps)
        #expect(actions["releases/spectate/staging/old-pipeline"] == "pruned")
        #expect(actions["releases/spectate/staging/hand-made"] == "kept")
        #expect(actions["releases/other-team/job"] == nil)
        let items = try setup.emulator.items()
        #expect(items["releases/spectate/staging/old-pipeline"] == nil)
        #expect(items["releases/spectate/staging/hand-made"] != nil)
        #expect(items["releases/other-team/job"] != nil)
    }

    @Test func survivesExpiredCrumbsServerErrorsAndASlowServer() async throws {
        let setup = try Setup()
        let config = try Fixtures.example()
        _ = try await setup.register(try ConfigLoader.parse(try Fixtures.exampleText().replacingOccurrences(of: "keep_builds: 50", with: "keep_builds: 7"),
                                                           file: Fixtures.examplePath))
        try setup.emulator.reset()
        try setup.emulator.expireCrumbs()
        try setup.emulator.fault(status: 503, count: 4, paths: "config.xml")
        try setup.emulator.fault(status: 0, count: 6, delayMilliseconds: 300)
        try setup.emulator.fault(status: 502, count: 1, paths: "crumbIssuer")
        let steps = try await setup.register(config)
        #expect(steps.allSatisfy { $0.error == nil }, "\(Self.actions(steps))")
        #expect(steps.filter { $0.action == .update }.count == 8)
        let requests = try setup.emulator.requests()
        #expect(requests.filter { $0.status == 503 }.count == 4)
        // The crumb held from the first run was refused, a new one fetched (after one 502), and every
        // update then went through.
        #expect(requests.contains { $0.method == "POST" && $0.status == 403 })
        #expect(requests.filter { $0.path.hasPrefix("/crumbIssuer") }.map(\.status).prefix(2) == [502, 200])
        #expect(requests.filter { $0.method == "POST" && $0.status == 200 }.count == 8)
        #expect(try setup.emulator.items()["releases/spectate/staging/promote"]?.config.contains("<numToKeep>50</numToKeep>") == true)
    }

    @Test func aStaleCrumbIsRefreshedOnce() async throws {
        let setup = try Setup()
        let config = try Fixtures.example()
        _ = try await setup.register(config)
        // The client holds a crumb from the first run; Jenkins restarts its sessions.
        try setup.emulator.expireCrumbs()
        try setup.emulator.seed(["releases/spectate/staging/promote": "<flow-definition><description>edited</description></flow-definition>"])
        try setup.emulator.reset()
        let steps = try await setup.register(config)
        #expect(Self.actions(steps)["releases/spectate/staging/promote"] == "updated")
        let requests = try setup.emulator.requests()
        #expect(requests.filter { $0.method == "POST" }.map(\.status) == [403, 200])
        #expect(requests.filter { $0.path.hasPrefix("/crumbIssuer") }.count == 1)
    }

    @Test func worksWithCSRFProtectionOff() async throws {
        let setup = try Setup(emulatorArguments: ["--no-csrf"])
        let steps = try await setup.register(try Fixtures.example())
        #expect(steps.allSatisfy { $0.action == .create && $0.error == nil })
    }

    @Test func givesUpOnAServerThatKeepsFailing() async throws {
        let setup = try Setup(retry: RetryPolicy(maxAttempts: 3, base: .milliseconds(1)))
        try setup.emulator.fault(status: 500, count: -1, paths: "config.xml")
        do {
            _ = try await setup.register(try Fixtures.example())
            Issue.record("register succeeded against a failing server")
        } catch let error as JenkinsError {
            #expect(error.kind == .unavailable)
            #expect(error.status == 500)
            #expect(error.message == "Jenkins kept failing: GET answered HTTP 500 3 times")
        }
    }

    @Test func aWrongTokenIsAClearError() async throws {
        let emulator = try JenkinsEmulator()
        let client = JenkinsRESTClient(baseURL: emulator.url, credentials: JenkinsCredentials(user: "admin", token: "wrong"),
                                       transport: AsyncHTTPTransport())
        do {
            _ = try await client.config(of: ItemPath(["x"]))
            Issue.record("a wrong token was accepted")
        } catch let error as JenkinsError {
            #expect(error.kind == .unauthorized)
            #expect(error.description.hasPrefix("Jenkins rejected the API token of user 'admin' (trying to read the configuration of x): check JENKINS_USER and JENKINS_TOKEN"))
        }
        let anonymous = JenkinsRESTClient(baseURL: emulator.url, credentials: nil, transport: AsyncHTTPTransport())
        do {
            _ = try await anonymous.config(of: ItemPath(["x"]))
            Issue.record("an anonymous request was accepted")
        } catch let error as JenkinsError {
            #expect(error.kind == .forbidden)
            #expect(error.message.contains("set JENKINS_USER and JENKINS_TOKEN"))
        }
    }

    @Test func registrationLogicOnTheFake() async throws {
        // The same planner over the in-memory fake: a folder that exists is never rewritten.
        let jenkins = InMemoryJenkins()
        await jenkins.seed(ItemPath(["releases"]), kind: .folder, config: "<com.cloudbees.hudson.plugins.folder.Folder><description>team views</description></com.cloudbees.hudson.plugins.folder.Folder>")
        let registrar = Registrar(jenkins: jenkins, managedMarker: Renderer.managedMarker, serverLabel: "memory:")
        let desired = try DesiredItem.all(for: try Fixtures.example(), renderer: Renderer())
        let steps = await registrar.apply(try await registrar.plan(desired, pruneScopes: []), desired: desired)
        #expect(Self.actions(steps)["releases"] == "exists")
        #expect(await jenkins.config(of: ItemPath(["releases"]))?.contains("team views") == true)
        let log = await jenkins.log
        #expect(log.first == "create releases/spectate")
        #expect(log.count == 11)
    }
}
