import CutoverCore
import CutoverTesting
import Foundation
import Testing

/// One release-name set everywhere a name goes: the CLI, the rendered pipelines, the playbooks.
@Suite("release names and secrets on the command line")
struct ReleaseNameCLITests {
    static let hostile = ["$(id)", "r1'; id; '", "r1\"x", "r1\nr2", "{{ lookup('pipe', 'id') }}", "-r1", "r 1", "r1/..", String(repeating: "a", count: 101), ""]

    @Test func theCLIRefusesAHostileReleaseNamingTheAllowedSet() throws {
        for release in Self.hostile {
            // promote is the step Jenkins runs with the parameter; nothing reaches AWS before validation.
            // A name starting with '-' as `--release=VALUE`, so it reaches the check rather than the parser.
            let option = release.hasPrefix("-") ? ["--release=\(release)"] : ["--release", release]
            let result = try CLI.run(["promote"] + option + ["-c", Fixtures.examplePath, "--dry-run"])
            #expect(result.status == 64, "\(release.debugDescription): \(result.stderr)")
            #expect(result.stderr.contains("a release name is \(ReleaseName.expectation)"), "\(release.debugDescription): \(result.stderr)")
        }
        for release in ["2026.11.28-1", "r1", "R_2.x-3", String(repeating: "a", count: 100)] {
            #expect(ReleaseName.validate(release) == nil, "\(release)")
        }
    }

    @Test func everyPipelineAndPlaybookChecksTheSameSet() throws {
        for environment in ["staging", "production"] {
            for pipeline in ["db-migration", "service-deploy", "promote", "rollback"] {
                let text = try String(contentsOfFile: Paths.repo("jenkins/\(environment)/\(pipeline)/Jenkinsfile"), encoding: .utf8)
                #expect(text.contains("==~ /\(ReleaseName.pattern)/"), "\(environment)/\(pipeline) checks RELEASE with ReleaseName.pattern")
            }
        }
        for playbook in ["frontend", "feed-normalizer"] {
            let text = try String(contentsOfFile: Paths.repo("templates/ansible/\(playbook).yml.mustache"), encoding: .utf8)
            #expect(text.contains("cutover_release is not regex('\(ReleaseName.pattern)', match_type='fullmatch')"), "\(playbook)")
        }
    }

    /// Under Groovy with the DSL stubbed: a hostile RELEASE fails the first stage, and no shell step runs.
    @Test(.enabled(if: Groovy.executable != nil)) func aPipelineStopsAHostileReleaseBeforeAnyShellStep() throws {
        var runs: [PipelineHarness.Run] = []
        for pipeline in ["db-migration", "service-deploy", "promote", "rollback"] {
            runs.append(.init(id: pipeline, jenkinsfile: Paths.repo("jenkins/staging/\(pipeline)/Jenkinsfile"),
                              options: ["--param", "RELEASE=$(touch /nonexistent/x)'", "--file", "cutover-plan.txt=PLAN"]))
        }
        runs.append(.init(id: "good", jenkinsfile: Paths.repo("jenkins/staging/promote/Jenkinsfile"), options: ["--param", "RELEASE=2026.11.28-1"]))
        let results = try PipelineHarness.run(runs).mapValues(PipelineRun.init)
        for pipeline in ["db-migration", "service-deploy", "promote", "rollback"] {
            let run = try #require(results[pipeline])
            #expect(run.valid, "\(pipeline): \(run.errors)")
            #expect(run.result == "FAILURE", "\(pipeline): \(run.result ?? "nil")")
            let errors = run.events("error").compactMap { ($0["args"] as? [String: Any])?["value"] as? String }
            #expect(errors.contains { $0.hasPrefix("RELEASE must be 1 to 100 letters, digits") }, "\(pipeline): \(run.events)")
            #expect(run.events("error").first?["stage"] as? [String] == ["Release"])
            // No stage's shell step ran; promote's `post { unsuccessful }` still runs its rollback (stage ""),
            // which cutover refuses by the same set.
            let main = run.shellSteps.filter { !$0.stage.isEmpty }
            #expect(main.isEmpty, "\(pipeline) ran \(main.map(\.script))")
        }
        let good = try #require(results["good"])
        #expect(good.result == "SUCCESS", "\(good.events)")
    }

    @Test func aPasswordInDatabaseURLWarnsWithoutPrintingIt() throws {
        let port = try AWSTestbed.freePort()
        let migrations = Paths.repo("Tests/Fixtures/migrations/basic")
        let withPassword = try CLI.run(["migrate", "status", "--migrations", migrations,
                                        "--database-url", "postgresql://app:s3cret-pw@127.0.0.1:\(port)/app"])
        #expect(withPassword.stderr.contains("warning: --database-url carries a password, and command-line arguments are visible to every user of this machine (ps, /proc) while cutover runs\nhint: set DATABASE_URL in the environment instead"), "\(withPassword.stderr)")
        #expect(!withPassword.stderr.contains("s3cret-pw") && !withPassword.stdout.contains("s3cret-pw"))
        let withoutPassword = try CLI.run(["migrate", "status", "--migrations", migrations, "--database-url", "postgresql://app@127.0.0.1:\(port)/app"])
        #expect(!withoutPassword.stderr.contains("warning: --database-url"), "\(withoutPassword.stderr)")
        let fromEnvironment = try CLI.run(["migrate", "status", "--migrations", migrations],
                                          environment: ["DATABASE_URL": "postgresql://app:s3cret-pw@127.0.0.1:\(port)/app"])
        #expect(!fromEnvironment.stderr.contains("warning: --database-url"), "the environment is the safe place: \(fromEnvironment.stderr)")
    }
}
