import CutoverCore
import CutoverTesting
import Foundation
import Testing

/// The binary as users run it: exact output, exact exit codes.
@Suite("cutover command line")
struct CLITests {
    @Test func versionAndHelp() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0\n")
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        for command in ["validate", "render"] {
            #expect(help.stdout.contains("  \(command) "), "root help lists \(command)")
            let sub = try CLI.run([command, "--help"])
            #expect(sub.status == 0 && sub.stdout.contains("USAGE: cutover \(command)"))
        }
        // The documented exit codes are in the help, generated from the same enum as the README table.
        for status in ExitStatus.allCases {
            #expect(help.stdout.contains("\(status.rawValue)") && help.stdout.contains(status.meaning))
        }
    }

    @Test func usageErrorsExit64() throws {
        let unknown = try CLI.run(["render", "--no-such-flag"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("Unknown option '--no-such-flag'"))
        let badEnv = try CLI.run(["render", "-c", Fixtures.examplePath, "--env", "qa", "--check"])
        #expect(badEnv.status == 64)
        #expect(badEnv.stderr.contains("no environment 'qa' in examples/spectate.yml; it has: staging, production"))
    }

    @Test func validateAcceptsTheExample() throws {
        let result = try CLI.run(["validate", "-c", Fixtures.examplePath])
        #expect(result.status == 0)
        #expect(result.stdout == "examples/spectate.yml: valid: 2 environments (staging, production), 3 services, 12 deployable units\n")
        let viaEnvironment = try CLI.run(["validate"], environment: ["CUTOVER_CONFIG": Fixtures.examplePath])
        #expect(viaEnvironment.status == 0)
    }

    @Test func validateReportsEveryProblemExactly() throws {
        let fixture = "Tests/Fixtures/configs/many-problems.yml"
        let result = try CLI.run(["validate", "-c", fixture])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        let expected = try String(contentsOfFile: Paths.repo("Tests/Fixtures/configs/many-problems.expected"), encoding: .utf8)
        #expect(result.stderr == expected)
    }

    @Test func validateJSONListsProblems() throws {
        let result = try CLI.run(["validate", "-c", "Tests/Fixtures/configs/many-problems.yml", "--json"])
        #expect(result.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        let problems = try #require(object["problems"] as? [[String: Any]])
        #expect(problems.count == 17)
        #expect(problems.first?["line"] as? Int == 2)
        #expect(problems.first?["path"] as? String == "name")
    }

    @Test func missingConfigSaysHowToFixIt() throws {
        let result = try CLI.run(["validate", "-c", "nope.yml"])
        #expect(result.status == 2)
        #expect(result.stderr == "error[config.unreadable]: cannot read config nope.yml: no such file (pass --config PATH or set CUTOVER_CONFIG)\n")
    }

    @Test func renderWritesOnlyWhatChangedAndRemovesWhatIsGone() throws {
        let out = try Paths.temporaryDirectory("render")
        defer { try? FileManager.default.removeItem(at: out) }
        let first = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path])
        #expect(first.status == 0)
        #expect(first.stdout.hasSuffix("\(out.path): 40 files: 40 created, 0 updated, 0 unchanged, 0 removed\n"))
        let second = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path])
        #expect(second.stdout == "\(out.path): 40 files: 0 created, 0 updated, 40 unchanged, 0 removed\n")
        // A stale environment left from an older config is removed; a file a person put there is not.
        let stale = out.appendingPathComponent("qa/promote")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try "x".write(to: stale.appendingPathComponent("Jenkinsfile"), atomically: true, encoding: .utf8)
        try "notes".write(to: out.appendingPathComponent("qa/NOTES.md"), atomically: true, encoding: .utf8)
        let third = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path])
        #expect(third.stdout == "removed \(out.path)/qa/promote/Jenkinsfile\n\(out.path): 40 files: 0 created, 0 updated, 40 unchanged, 1 removed\n")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("qa/NOTES.md").path))
        #expect(!FileManager.default.fileExists(atPath: stale.path))
    }

    @Test func renderCheckReportsDriftWithADiffAndExit3() throws {
        let out = try Paths.temporaryDirectory("render-check")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path])
        let clean = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path, "--check"])
        #expect(clean.status == 0)
        #expect(clean.stdout == "\(out.path): up to date (40 files)\n")
        let file = out.appendingPathComponent("staging/service-deploy/Jenkinsfile")
        let original = try String(contentsOf: file, encoding: .utf8)
        try original.replacingOccurrences(of: "failFast true", with: "failFast false").write(to: file, atomically: true, encoding: .utf8)
        let drift = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path, "--check"])
        #expect(drift.status == 3)
        #expect(drift.stdout.hasPrefix("differs: \(out.path)/staging/service-deploy/Jenkinsfile\n--- \(out.path)/staging/service-deploy/Jenkinsfile\n+++ rendered/staging/service-deploy/Jenkinsfile\n@@ "))
        #expect(drift.stdout.contains("\n-            failFast false\n+            failFast true\n"))
        #expect(drift.stderr == "\(out.path): 1 file differ from the config; run `cutover render` and commit the result\n")
        // --check changed nothing.
        #expect(try String(contentsOf: file, encoding: .utf8).contains("failFast false"))
        let json = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path, "--check", "--json"])
        #expect(json.status == 3)
        #expect(json.stdout.contains("\"change\" : \"changed\""))
    }

    @Test func renderOneEnvironmentLeavesTheOthersAlone() throws {
        let out = try Paths.temporaryDirectory("render-env")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path])
        let result = try CLI.run(["render", "-c", Fixtures.examplePath, "--out", out.path, "--env", "staging"])
        #expect(result.stdout == "\(out.path): 31 files: 0 created, 0 updated, 31 unchanged, 0 removed\n")
    }
}
