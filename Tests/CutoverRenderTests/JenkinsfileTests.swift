import CutoverCore
import CutoverRender
import CutoverTesting
import Foundation
import Testing

/// Every rendered Jenkinsfile, compiled and run by real Groovy 2.4 with the declarative DSL stubbed and
/// the shared library loaded by its `library` step, as Jenkins loads it: the pipelines are valid, and
/// each stage's library step runs the cutover command it should (read back from a real shell), under the
/// right lock and credentials. One JVM runs all cases (see `PipelineHarness`).
@Suite("Rendered Jenkinsfiles under Groovy", .serialized)
struct JenkinsfileTests {
    static let runs: [String: PipelineRun] = {
        let jenkins = Paths.repo("jenkins")
        let library = PipelineHarness.libraryOptions(repository: Paths.repository.path)
        var runs: [PipelineHarness.Run] = []
        for env in ["staging", "production"] {
            for pipeline in ["db-migration", "service-deploy", "promote", "rollback"] {
                let artifacts = pipeline == "service-deploy" || pipeline == "db-migration" ? artifactParameters : []
                runs.append(.init(id: "\(env)/\(pipeline)", jenkinsfile: "\(jenkins)/\(env)/\(pipeline)/Jenkinsfile",
                                  options: library + ["--param", "RELEASE=2026.11.28-1", "--file", "cutover-plan.txt=PLAN"] + artifacts))
            }
        }
        runs.append(.init(id: "bootstrap", jenkinsfile: Paths.repo("Jenkinsfile")))
        runs.append(.init(id: "promote-fails", jenkinsfile: "\(jenkins)/staging/promote/Jenkinsfile",
                          options: library + ["--param", "RELEASE=r1", "--fail-stage", "Promote"]))
        runs.append(.init(id: "deploy-rejected", jenkinsfile: "\(jenkins)/staging/service-deploy/Jenkinsfile",
                          options: library + ["--param", "RELEASE=r1", "--reject"]))
        var scratch: [URL] = []
        defer { scratch.forEach { try? FileManager.default.removeItem(at: $0) } }
        do {
            // The variants, rendered into scratch repositories: the library loaded through the folder
            // property (as Jenkins resolves `library 'cutover@main'`), a sidecar, a Kubernetes agent pod.
            for (variant, settings, pipelines) in [("folder", ConfigVariants.folderLibrary, ["promote"]),
                                                   ("sidecar", ConfigVariants.sidecar, ["db-migration", "promote"]),
                                                   ("kubernetes", ConfigVariants.kubernetes, ["promote"])] {
                let config = try ConfigVariants.example(with: settings)
                let repository = try ConfigVariants.renderRepository(try Renderer().render(config).map { ($0.path, $0.contents) },
                                                                     renderedPath: config.jenkins.renderedPath, label: variant)
                scratch.append(repository)
                let dir = repository.appendingPathComponent(config.jenkins.renderedPath).path
                var options = PipelineHarness.libraryOptions(repository: repository.path)
                if variant == "folder" { options += ["--folder-library", "\(dir)/staging/config.xml"] }
                for pipeline in pipelines {
                    runs.append(.init(id: "\(variant)/staging/\(pipeline)", jenkinsfile: "\(dir)/staging/\(pipeline)/Jenkinsfile",
                                      options: options + ["--param", "RELEASE=2026.11.28-1", "--file", "cutover-plan.txt=PLAN"]
                                          + (pipeline == "db-migration" ? artifactParameters : [])))
                }
            }
            return try PipelineHarness.run(runs).mapValues(PipelineRun.init)
        } catch {
            Issue.record("harness failed: \(error)")
            return [:]
        }
    }()

    static let artifactParameters = [
        "--param", "ARTIFACT_FRONTEND=frontend-7.tar.gz", "--param", "IMAGE_EVENT_MANAGEMENT=registry/event-management:7",
        "--param", "ARTIFACT_FEED_NORMALIZER=feed-normalizer-7.tar.gz",
    ]

    func run(_ id: String) throws -> PipelineRun {
        try #require(Self.runs[id], "no harness result for \(id)")
    }

    @Test func everyRenderedPipelineIsValidDeclarative() throws {
        for id in Self.runs.keys.sorted() {
            let run = try run(id)
            #expect(run.valid, "\(id): \(run.errors)")
        }
        #expect(Self.runs.count == 15)
    }

    /// Every step call of every run, in order with its arguments: a change to a library step or a
    /// pipeline shows as a diff of calls. `CUTOVER_RECORD=1` rewrites Tests/Fixtures/callstacks/.
    @Test func callStacksMatchTheGoldenFiles() throws {
        for id in Self.runs.keys.sorted() where id != "bootstrap" {
            try CallStackGolden.check(id, try run(id))
        }
    }

    @Test func promoteRunsOneAllOrNothingCommandUnderTheTrafficLock() throws {
        let run = try run("staging/promote")
        #expect(run.result == "SUCCESS")
        // One command moves every group: per-group stages would each take the traffic lock and could
        // not revert the others.
        #expect(run.commands.map(\.stage) == ["Preflight", "Promote", "Confirm"])
        #expect(run.commandLines == [
            "cutover promote --dry-run --release 2026.11.28-1",
            "cutover promote --release 2026.11.28-1",
            "cutover status --expect green --release 2026.11.28-1",
        ])
        // The stages call the library's one promote step: first as a dry run, then for real.
        let promotes = run.events("cutoverPromote").compactMap { $0["args"] as? [String: Any] }
        #expect(promotes.map { $0["release"] as? String } == ["2026.11.28-1", "2026.11.28-1"])
        #expect(promotes.map { $0["dryRun"] as? Bool } == [true, nil])
        for event in run.events("sh") {
            #expect(event["locks"] as? [String] == ["cutover-spectate-staging-traffic"])
            #expect(event["credentials"] as? [String] == ["aws-spectate-staging"])
            let env = try #require(event["env"] as? [String: Any])
            #expect(env["CUTOVER_ENV"] as? String == "staging")
            #expect(env["CUTOVER_CONFIG"] as? String == "examples/spectate.yml")
            #expect(env["RELEASE"] as? String == "2026.11.28-1")
            #expect(env["AWS_SECRET_ACCESS_KEY"] as? String == "****")
        }
    }

    @Test func aFailedGroupRollsEverythingBack() throws {
        let run = try run("promote-fails")
        #expect(run.result == "FAILURE")
        #expect(run.commandLines.last == "cutover rollback --release r1 --reason 'promotion failed'")
        #expect(run.commands.last?.stage == "")
        // The step says what the exit code means, from the library's resources.
        #expect(run.events("error").first?["args"] as? [String: String] == ["value": "cutoverPromote: cutover exited 1 (the operation failed)"])
        // The confirmation never ran.
        #expect(!run.commandLines.contains { $0.contains("--expect green") })
    }

    @Test func rollbackSharesTheLockAndRestoresEveryGroupWithOneCommand() throws {
        let run = try run("production/rollback")
        #expect(run.commandLines == [
            "cutover rollback --release 2026.11.28-1 --reason 'manual rollback'",
            "cutover status --expect blue --release 2026.11.28-1",
        ])
        #expect(Set(run.events("sh").map { $0["locks"] as? [String] ?? [] }) == [["cutover-spectate-production-traffic"]])
    }

    @Test func migrationLintsThenDeploysWithTheDatabaseCredentialThenStartsServiceDeploy() throws {
        let run = try run("production/db-migration")
        #expect(run.commandLines == [
            "cutover validate",
            "cutover migrate lint --migrations migrations-src/prisma/migrations --lock-timeout 5s",
            // With the release, so the run is recorded for promote's and rollback's schema checks.
            "cutover migrate deploy --migrations migrations-src/prisma/migrations --lock-timeout 5s --release 2026.11.28-1",
        ])
        // Lint binds the database URL too, so it checks only what is pending.
        #expect(run.events("sh").map { $0["credentials"] as? [String] ?? [] }[1] == ["spectate-production-database-url"])
        let deploy = try #require(run.events("sh").last)
        #expect(deploy["credentials"] as? [String] == ["spectate-production-database-url", "aws-spectate-production"])
        #expect((deploy["env"] as? [String: Any])?["DATABASE_URL"] as? String == "****")
        #expect(deploy["locks"] as? [String] == ["cutover-spectate-production-database"])
        let checkout = run.events("git")
        #expect(checkout.count == 2)
        #expect(checkout.last?["dir"] as? String == "migrations-src")
        let build = try #require(run.events("build").first)
        #expect(build["post"] as? String == "success")
        let args = try #require(build["args"] as? [String: Any])
        #expect(args["job"] as? String == "service-deploy")
        #expect(args["wait"] as? Bool == false)
        let names = (args["parameters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["RELEASE", "ARTIFACT_FRONTEND", "IMAGE_EVENT_MANAGEMENT", "ARTIFACT_FEED_NORMALIZER"])
    }

    @Test func serviceDeployBringsUpGreenVerifiesThenAsksTheApprovers() throws {
        let run = try run("staging/service-deploy")
        #expect(run.result == "SUCCESS")
        let commands = run.commandLines
        #expect(commands.contains("cutover provision --service event-management --image registry/event-management:7 --release 2026.11.28-1"))
        #expect(commands.contains("cutover deploy --service frontend --artifact frontend-7.tar.gz --release 2026.11.28-1"))
        #expect(commands.contains("cutover deploy --service feed-normalizer --sport horse-racing --artifact feed-normalizer-7.tar.gz --release 2026.11.28-1"))
        #expect(commands.filter { $0.hasPrefix("cutover verify ") }.count == 6)
        #expect(commands.contains("cutover verify --service feed-normalizer --sport tennis --release 2026.11.28-1"))
        #expect(commands.last == "cutover promote --dry-run --release 2026.11.28-1")
        // The plan goes to the file the approval message reads.
        #expect(run.events("sh").last?["wrote"] as? [String] == ["cutover-plan.txt"])
        let input = try #require(run.events("input").first)
        let args = try #require(input["args"] as? [String: Any])
        #expect(args["submitter"] as? String == "release-managers")
        #expect(args["message"] as? String == "Promote release 2026.11.28-1 in staging?\n\nPLAN")
        let build = try #require(run.events("build").first)
        #expect((build["args"] as? [String: Any])?["job"] as? String == "promote")
        #expect(Set(run.events("sh").map { $0["locks"] as? [String] ?? [] }) == [["cutover-spectate-staging-deploy"]])
    }

    @Test func rejectingTheGateStartsNothing() throws {
        let run = try run("deploy-rejected")
        #expect(run.result == "ABORTED")
        #expect(run.events("build").isEmpty)
    }

    @Test func productionApproversAreBothGroups() throws {
        let input = try #require(try run("production/service-deploy").events("input").first)
        #expect((input["args"] as? [String: Any])?["submitter"] as? String == "release-managers,change-advisory-board")
    }
}

/// The pipelines of the config variants (`jenkins.library: folder`, `jenkins.sidecar`, with and without
/// `kubernetes`), run by the same harness JVM as the example's.
@Suite("Rendered Jenkinsfiles of the config variants under Groovy", .serialized)
struct VariantJenkinsfileTests {
    func run(_ id: String) throws -> PipelineRun {
        try #require(JenkinsfileTests.runs[id], "no harness result for \(id)")
    }

    @Test func theFolderPropertyLoadsTheLibraryForAShortLibraryStep() throws {
        let run = try run("folder/staging/promote")
        #expect(run.valid, "\(run.errors)")
        #expect(run.result == "SUCCESS")
        let load = try #require(run.events("library").first)
        #expect(load["args"] as? [String: String] == ["value": "cutover@main"])
        #expect(run.commandLines == [
            "cutover promote --dry-run --release 2026.11.28-1",
            "cutover promote --release 2026.11.28-1",
            "cutover status --expect green --release 2026.11.28-1",
        ])
    }

    @Test func onASidecarTheStepsBindOnlyItsToken() throws {
        for id in ["sidecar/staging/promote", "sidecar/staging/db-migration", "kubernetes/staging/promote"] {
            let run = try run(id)
            #expect(run.valid, "\(id): \(run.errors)")
            #expect(run.result == "SUCCESS", "\(id)")
            // The same cutover command lines as on the agent: the CLI runs them on the sidecar.
            #expect(!run.commandLines.isEmpty)
            for event in run.events("sh") where event["argv"] != nil && (event["argv"] as? [String])?[1] != "validate" {
                #expect(event["credentials"] as? [String] == ["cutover-sidecar-token"], "\(id): \(event["script"] ?? "")")
                let env = try #require(event["env"] as? [String: Any])
                #expect(env["CUTOVER_SERVER"] as? String == "http://127.0.0.1:8780")
                #expect(env["CUTOVER_API_TOKEN"] as? String == "****")
                #expect(env["AWS_SECRET_ACCESS_KEY"] == nil && env["DATABASE_URL"] == nil, "\(id): \(env.keys.sorted())")
            }
            let environment = try #require(run.raw["environment"] as? [String: Any])
            #expect(environment["CUTOVER_AWS_CREDENTIALS"] == nil && environment["CUTOVER_DATABASE_CREDENTIALS"] == nil)
            #expect(environment["CUTOVER_SIDECAR_CREDENTIALS"] as? String == "cutover-sidecar-token")
        }
        let migration = try run("sidecar/staging/db-migration")
        #expect(migration.commandLines.last == "cutover migrate deploy --migrations migrations-src/prisma/migrations --lock-timeout 5s --release 2026.11.28-1")
    }

    @Test func theKubernetesAgentIsAPodWithTheSidecar() throws {
        let run = try run("kubernetes/staging/promote")
        let agent = try #require(run.raw["agent"] as? [String: Any])
        #expect(agent["type"] as? String == "kubernetes")
        #expect(agent["customWorkspace"] as? String == "/home/jenkins/agent/cutover-workspace")
        // The pod in the Jenkinsfile is exactly the reviewed agent-pod.yaml.
        let config = try ConfigVariants.example(with: ConfigVariants.kubernetes)
        let pod = try #require(try Renderer().render(config).first { $0.path == "staging/agent-pod.yaml" })
        #expect((agent["yaml"] as? String)?.trimmingCharacters(in: .newlines) == pod.contents.trimmingCharacters(in: .newlines))
        let environment = try #require(run.raw["environment"] as? [String: Any])
        #expect(environment["CUTOVER_BINARY"] as? String == "/home/jenkins/agent/cutover-bin/cutover")
    }

    @Test func callStacksMatchTheGoldenFiles() throws {
        for id in JenkinsfileTests.runs.keys.sorted() where id.hasPrefix("folder/") || id.hasPrefix("sidecar/") || id.hasPrefix("kubernetes/") {
            try CallStackGolden.check(id, try run(id))
        }
    }
}
