import CutoverCore
import CutoverRender
import CutoverTesting
import Foundation
import Testing

/// Every rendered Jenkinsfile, compiled and run by real Groovy 2.4 with the declarative DSL stubbed:
/// the pipelines are valid, and each stage runs the cutover command it should, under the right lock and
/// credentials. One JVM runs all cases (see `PipelineHarness`).
@Suite("Rendered Jenkinsfiles under Groovy", .serialized)
struct JenkinsfileTests {
    static let runs: [String: PipelineRun] = {
        let jenkins = Paths.repo("jenkins")
        var runs: [PipelineHarness.Run] = []
        for env in ["staging", "production"] {
            for pipeline in ["db-migration", "service-deploy", "promote", "rollback"] {
                runs.append(.init(id: "\(env)/\(pipeline)", jenkinsfile: "\(jenkins)/\(env)/\(pipeline)/Jenkinsfile",
                                  options: ["--param", "RELEASE=2026.11.28-1", "--file", "cutover-plan.txt=PLAN"]))
            }
        }
        runs.append(.init(id: "bootstrap", jenkinsfile: Paths.repo("Jenkinsfile")))
        runs.append(.init(id: "promote-fails", jenkinsfile: "\(jenkins)/staging/promote/Jenkinsfile",
                          options: ["--param", "RELEASE=r1", "--fail-stage", "Promote"]))
        runs.append(.init(id: "deploy-rejected", jenkinsfile: "\(jenkins)/staging/service-deploy/Jenkinsfile",
                          options: ["--param", "RELEASE=r1", "--reject"]))
        do {
            return try PipelineHarness.run(runs).mapValues(PipelineRun.init)
        } catch {
            Issue.record("harness failed: \(error)")
            return [:]
        }
    }()

    func run(_ id: String) throws -> PipelineRun {
        try #require(Self.runs[id], "no harness result for \(id)")
    }

    @Test func everyRenderedPipelineIsValidDeclarative() throws {
        for id in Self.runs.keys.sorted() {
            let run = try run(id)
            #expect(run.valid, "\(id): \(run.errors)")
        }
        #expect(Self.runs.count == 11)
    }

    @Test func promoteRunsOneAllOrNothingCommandUnderTheTrafficLock() throws {
        let run = try run("staging/promote")
        #expect(run.result == "SUCCESS")
        // One command moves every group: per-group stages would each take the traffic lock and could
        // not revert the others.
        #expect(run.shellSteps.map(\.stage) == ["Preflight", "Promote", "Confirm"])
        #expect(run.shellSteps.map(\.script) == [
            "cutover promote --dry-run --release \"$RELEASE\"",
            "cutover promote --release \"$RELEASE\"",
            "cutover status --expect green --release \"$RELEASE\"",
        ])
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
        #expect(run.shellSteps.last?.script == "cutover rollback --release \"$RELEASE\" --reason 'promotion failed'")
        #expect(run.shellSteps.last?.stage == "")
        // The confirmation never ran.
        #expect(!run.shellSteps.contains { $0.script.contains("--expect green") })
    }

    @Test func rollbackSharesTheLockAndRestoresEveryGroupWithOneCommand() throws {
        let run = try run("production/rollback")
        #expect(run.shellSteps.map(\.script) == [
            "cutover rollback --release \"$RELEASE\" --reason \"$REASON\"",
            "cutover status --expect blue --release \"$RELEASE\"",
        ])
        #expect(Set(run.events("sh").map { $0["locks"] as? [String] ?? [] }) == [["cutover-spectate-production-traffic"]])
    }

    @Test func migrationLintsThenDeploysWithTheDatabaseCredentialThenStartsServiceDeploy() throws {
        let run = try run("production/db-migration")
        #expect(run.shellSteps.map(\.script) == [
            "cutover validate",
            "cutover migrate lint --migrations \"$MIGRATIONS_DIR\" --lock-timeout 5s",
            "cutover migrate deploy --migrations \"$MIGRATIONS_DIR\" --lock-timeout 5s",
        ])
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
        let scripts = run.shellSteps.map(\.script)
        #expect(scripts.contains("cutover provision --service event-management --image \"$IMAGE_EVENT_MANAGEMENT\" --release \"$RELEASE\""))
        #expect(scripts.contains("cutover deploy --service feed-normalizer --sport horse-racing --artifact \"$ARTIFACT_FEED_NORMALIZER\" --release \"$RELEASE\""))
        #expect(scripts.filter { $0.hasPrefix("cutover verify ") }.count == 6)
        #expect(scripts.last == "cutover promote --dry-run --release \"$RELEASE\" > cutover-plan.txt")
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
