import CutoverCore
@testable import CutoverRender
import CutoverTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The shared library on its own: its shape is what Jenkins loads, every step documents every argument
/// it accepts, an argument it does not know stops the build, a hand-written team Jenkinsfile can call
/// the steps, and hostile values reach cutover as exact data. Runs under real Groovy 2.4 with the
/// library loaded by the `library` step, and every `sh` in a real shell.
@Suite("Shared library", .serialized)
struct LibraryTests {
    static let steps = ["cutoverCleanup", "cutoverDeploy", "cutoverLint", "cutoverMigrate", "cutoverPromote", "cutoverProvision",
                        "cutoverRollback", "cutoverStatus", "cutoverValidate", "cutoverVerify"]
    /// Quotes, `$()`, `${}`, backticks, newlines, backslashes, `=` (withEnv splits at the first one).
    static let hostile = HostileRenderTests.hostile + " a=b"

    /// The library as the config repository holds it (`jenkins/library/`), in a scratch directory.
    static func repository() throws -> URL {
        let repository = try Paths.temporaryDirectory("library")
        for file in try Renderer().renderLibrary() {
            let url = repository.appendingPathComponent("jenkins/\(file.path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return repository
    }

    /// A Jenkinsfile whose stages each run `calls[i]` inside catchError, so every call runs.
    static func jenkinsfile(_ calls: [(stage: String, call: String)]) -> String {
        """
        library identifier: 'cutover@main', retriever: modernSCM(scm: [$class: 'GitSCMSource', remote: 'https://git.example.com/r.git'], libraryPath: 'jenkins/library/')
        pipeline {
            agent any
            stages {
        \(calls.map { "        stage('\($0.stage)') { steps { catchError { \($0.call) } } }" }.joined(separator: "\n"))
            }
        }

        """
    }

    static func run(_ calls: [(stage: String, call: String)], in repository: URL) throws -> PipelineRun {
        let file = repository.appendingPathComponent("Jenkinsfile")
        try jenkinsfile(calls).write(to: file, atomically: true, encoding: .utf8)
        let results = try PipelineHarness.run([.init(id: "run", jenkinsfile: file.path,
                                                     options: PipelineHarness.libraryOptions(repository: repository.path))])
        return PipelineRun(try #require(results["run"]))
    }

    @Test func theLibraryHasOnlyTheShapesJenkinsCopies() throws {
        let paths = try Renderer().renderLibrary().map(\.path)
        #expect(paths.filter { $0.hasSuffix(".groovy") } == Self.steps.map { "library/vars/\($0).groovy" })
        for path in paths {
            let parts = path.split(separator: "/").map(String.init)
            #expect(parts.first == "library" && OutputDirectory.isLibraryFile(Array(parts.dropFirst())), "\(path) is not a file Jenkins copies from a library")
            if parts[1] == "vars", path.hasSuffix(".groovy") {
                #expect(parts[2].dropLast(".groovy".count).allSatisfy { $0.isLetter || $0.isNumber } && parts[2].first!.isLowercase)
            }
        }
        #expect(paths.contains("library/README.md"))
        #expect(paths.contains("library/resources/org/cutover/exit-codes.txt"))
    }

    @Test func theLibraryIsTheSameForEveryConfig() throws {
        // Generic library, specific pipelines: nothing of a config reaches the library's files.
        let library = try Renderer().renderLibrary()
        let example = try Renderer().render(try Fixtures.example()).filter { $0.path.hasPrefix("library/") }
        let hostile = try Renderer().render(try HostileRenderTests.hostileConfig()).filter { $0.path.hasPrefix("library/") }
        #expect(example == library)
        #expect(hostile == library)
    }

    @Test func everyStepDocumentsEveryArgumentItAcceptsInTheHTMLSubset() throws {
        let repository = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repository) }
        // The accepted names come from the steps themselves: an unknown argument makes each list them.
        let run = try Self.run(Self.steps.map { ($0, "\($0)(notAnArgument: true)") }, in: repository)
        #expect(run.valid, "\(run.errors)")
        let errors = run.events("error")
        #expect(errors.count == Self.steps.count)
        for (step, event) in zip(Self.steps, errors) {
            let message = (event["args"] as? [String: Any])?["value"] as? String ?? ""
            #expect(message.hasPrefix("\(step): unknown argument notAnArgument"), "\(message)")
            let accepted = message.components(separatedBy: "accepted: ").last!
                .replacingOccurrences(of: " (required)", with: "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(accepted.contains("binary") && accepted.contains("config") && accepted.contains("environment"))
            let help = try String(contentsOf: repository.appendingPathComponent("jenkins/library/vars/\(step).txt"), encoding: .utf8)
            for name in accepted {
                #expect(help.contains("<dt><code>\(name)</code>"), "\(step).txt does not document \(name)")
            }
            let documented = help.components(separatedBy: "<dt><code>").dropFirst().map { String($0.prefix { $0 != "<" }) }
            #expect(Set(documented) == Set(accepted), "\(step).txt documents \(documented), the step accepts \(accepted)")
            try Self.expectHTMLSubset(help, step)
        }
    }

    /// Jenkins shows vars/*.txt as HTML in the Global Variable Reference: keep to <p>, <code>, <pre>, <dl>.
    static func expectHTMLSubset(_ help: String, _ step: String) throws {
        let document = try XMLDocument(xmlString: "<help>\(help)</help>")
        func visit(_ node: XMLNode) {
            if node.kind == .element, let name = node.name, name != "help" {
                #expect(["p", "code", "pre", "dl", "dt", "dd"].contains(name), "\(step).txt uses <\(name)>")
            }
            node.children?.forEach(visit)
        }
        visit(try #require(document.rootElement()))
    }

    @Test func missingArgumentsStopTheBuildNamingTheAcceptedOnes() throws {
        let repository = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repository) }
        let run = try Self.run([("promote", "cutoverPromote(relase: '1')"), ("deploy", "cutoverDeploy(service: 'frontend')"),
                                ("migrate", "cutoverMigrate(migrations: 'm')")], in: repository)
        #expect(run.result == "FAILURE")
        #expect(run.events("sh").isEmpty)
        #expect(run.events("error").compactMap { ($0["args"] as? [String: Any])?["value"] as? String } == [
            "cutoverPromote: unknown argument relase, missing argument release; accepted: release (required), dryRun, planFile, awsCredentials, server, sidecarCredentials, binary, config, environment",
            "cutoverDeploy: missing argument artifact, missing argument release; accepted: service, artifact, release (required), sport, awsCredentials, server, sidecarCredentials, binary, config, environment",
            "cutoverMigrate: no database credential: pass databaseCredentials or set CUTOVER_DATABASE_CREDENTIALS (or run on a sidecar)",
        ])
    }

    @Test func hostileValuesPassedToEveryStepArriveAsExactData() throws {
        let repository = try Self.repository()
        defer { try? FileManager.default.removeItem(at: repository) }
        let h = "'\(Escape.groovySingleQuoted(Self.hostile))'"
        let planFile = "plan 'q' \"$(id)\" ${x} `id` a=b.txt"
        let calls: [(stage: String, call: String, argv: [String])] = [
            ("validate", "cutoverValidate(config: \(h), environment: \(h))", ["validate"]),
            ("lint", "cutoverLint(migrations: \(h), lockTimeout: \(h), databaseCredentials: \(h))",
             ["migrate", "lint", "--migrations", Self.hostile, "--lock-timeout", Self.hostile]),
            ("migrate", "cutoverMigrate(migrations: \(h), databaseCredentials: 'db', awsCredentials: \(h))",
             ["migrate", "deploy", "--migrations", Self.hostile, "--lock-timeout", "5s"]),
            ("provision", "cutoverProvision(service: \(h), sport: \(h), image: \(h), release: \(h))",
             ["provision", "--service", Self.hostile, "--sport", Self.hostile, "--image", Self.hostile, "--release", Self.hostile]),
            ("deploy", "cutoverDeploy(service: \(h), artifact: \(h), release: \(h))",
             ["deploy", "--service", Self.hostile, "--artifact", Self.hostile, "--release", Self.hostile]),
            ("verify", "cutoverVerify(service: \(h), sport: \(h), release: \(h))",
             ["verify", "--service", Self.hostile, "--sport", Self.hostile, "--release", Self.hostile]),
            ("promote", "cutoverPromote(release: \(h), dryRun: true)", ["promote", "--dry-run", "--release", Self.hostile]),
            ("plan", "cutoverPromote(release: \(h), planFile: '\(Escape.groovySingleQuoted(planFile))')",
             ["promote", "--dry-run", "--release", Self.hostile]),
            ("rollback", "cutoverRollback(release: \(h), reason: \(h), dryRun: 'true')",
             ["rollback", "--release", Self.hostile, "--reason", Self.hostile]),
            ("status", "cutoverStatus(release: \(h), expect: \(h))", ["status", "--expect", Self.hostile, "--release", Self.hostile]),
            ("cleanup", "cutoverCleanup(release: \(h), service: \(h), sport: \(h), dryRun: true)",
             ["cleanup", "--service", Self.hostile, "--sport", Self.hostile, "--release", Self.hostile, "--dry-run"]),
            ("sidecar", "cutoverPromote(release: \(h), server: \(h), sidecarCredentials: \(h))", ["promote", "--release", Self.hostile]),
        ]
        let run = try Self.run(calls.map { ($0.stage, $0.call) }, in: repository)
        #expect(run.valid, "\(run.errors)")
        #expect(run.result == "SUCCESS")
        #expect(run.commands.map(\.stage) == calls.map(\.stage))
        for (call, command) in zip(calls, run.commands) {
            #expect(command.argv == ["cutover"] + call.argv, "\(call.stage)")
        }
        let sh = run.events("sh")
        #expect((sh[0]["env"] as? [String: Any])?["CUTOVER_CONFIG"] as? String == Self.hostile)
        #expect((sh[0]["env"] as? [String: Any])?["CUTOVER_ENV"] as? String == Self.hostile)
        #expect(sh[1]["credentials"] as? [String] == [Self.hostile])
        #expect(sh[2]["credentials"] as? [String] == ["db", Self.hostile])
        #expect(sh[7]["wrote"] as? [String] == [planFile])
        // On a sidecar: its address reaches cutover as data, and only its token is bound.
        #expect((sh[11]["env"] as? [String: Any])?["CUTOVER_SERVER"] as? String == Self.hostile)
        #expect(sh[11]["credentials"] as? [String] == [Self.hostile])
        // No value ever became script text: every script is a literal of the library's source.
        let source = try Renderer().renderLibrary().filter { $0.path.hasSuffix(".groovy") }.map(\.contents).joined()
        for event in sh {
            let script = try #require(event["script"] as? String)
            #expect(source.contains("'\(script)'"), "\(script) is not a literal of the library")
        }
    }

    @Test func aTeamJenkinsfileCallsTheStepsDirectly() throws {
        let results = try PipelineHarness.run([
            .init(id: "team", jenkinsfile: Paths.repo("examples/team-release.Jenkinsfile"),
                  options: PipelineHarness.libraryOptions(repository: Paths.repository.path)
                      + ["--param", "RELEASE=2026.12.01-2", "--param", "FRONTEND_ARTIFACT=frontend-8.tar.gz"]),
        ])
        let run = PipelineRun(try #require(results["team"]))
        #expect(run.valid, "\(run.errors)")
        #expect(run.result == "SUCCESS")
        #expect(run.commandLines == [
            "cutover deploy --service frontend --artifact frontend-8.tar.gz --release 2026.12.01-2",
            "cutover verify --service frontend --release 2026.12.01-2",
            "cutover promote --dry-run --release 2026.12.01-2",
            "cutover promote --release 2026.12.01-2",
            "cutover status --expect green --release 2026.12.01-2",
        ])
        #expect(Set(run.events("sh").map { $0["credentials"] as? [String] ?? [] }) == [["aws-spectate-staging"]])
        try CallStackGolden.check("team-release", run)
    }
}
