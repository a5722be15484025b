import CutoverCore
import CutoverRender
import CutoverTesting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The second fence: values that validation would reject are forced into a config, and the rendered
/// pipelines must still be valid Groovy that carries each value as inert data — to the shell as one
/// argument, to Jenkins as the exact credential ID, lock, submitter and environment value.
@Suite("Hostile values through the renderer", .serialized)
struct HostileRenderTests {
    static let hostile = "it's \"q\" ${env.SECRET} $(id) `id` </script>]]>\\ \n\r\ttab\u{202E}"

    static func hostileConfig() throws -> Config {
        var config = try Fixtures.example()
        config.name = hostile
        config.jenkins.configPath = hostile
        config.jenkins.source.url = hostile
        config.environments[0].approvers = [hostile]
        config.environments[0].credentials.aws = hostile
        config.environments[0].agent = hostile
        config.environments[0].services[0].name = hostile
        config.environments[0].services[0].units[0].service = hostile
        return config
    }

    @Test func hostileValuesStayData() throws {
        let files = try Renderer().render(try Self.hostileConfig())
        let repository = try Paths.temporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(at: repository) }
        // Laid out as the config repository: the pipelines load the library from jenkins/library/ in it.
        let dir = repository.appendingPathComponent("jenkins")
        for file in files where file.path.hasPrefix("staging/") || file.path.hasPrefix("library/") {
            let url = dir.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
            if file.path.hasSuffix("config.xml") {
                // Well-formed, and the Jenkinsfile comes back byte for byte.
                let document = try XMLDocument(xmlString: file.contents)
                if let script = try document.nodes(forXPath: "//script").first {
                    #expect(script.stringValue == files.first { $0.path == file.path.replacingOccurrences(of: "config.xml", with: "Jenkinsfile") }?.contents)
                }
            }
        }
        let results = try PipelineHarness.run(["promote", "service-deploy"].map {
            .init(id: $0, jenkinsfile: dir.appendingPathComponent("staging/\($0)/Jenkinsfile").path,
                  options: PipelineHarness.libraryOptions(repository: repository.path) + ["--param", "RELEASE=r1"])
        }).mapValues(PipelineRun.init)
        let promote = try #require(results["promote"])
        let deploy = try #require(results["service-deploy"])
        #expect(promote.valid, "\(promote.errors)")
        #expect(deploy.valid, "\(deploy.errors)")

        let first = try #require(promote.events("sh").first)
        #expect(first["locks"] as? [String] == ["cutover-\(Self.hostile)-staging-traffic"])
        #expect(first["credentials"] as? [String] == [Self.hostile])
        #expect((first["env"] as? [String: Any])?["CUTOVER_CONFIG"] as? String == Self.hostile)
        #expect((promote.raw["agent"] as? [String: Any])?["label"] as? String == Self.hostile)
        let input = try #require(deploy.events("input").first)
        #expect((input["args"] as? [String: Any])?["submitter"] as? String == Self.hostile)
        let checkout = try #require(promote.events("git").first)
        #expect((checkout["args"] as? [String: Any])?["url"] as? String == Self.hostile)

        // The shell sees the hostile service name as exactly one argument, expanded nowhere: the
        // harness ran the library step's script in /bin/sh and read cutover's arguments back.
        let step = try #require(deploy.commands.first { $0.stage.hasPrefix("Verify/") })
        #expect(step.stage == "Verify/verify \(Self.hostile)")
        #expect(step.argv == ["cutover", "verify", "--service", Self.hostile, "--release", "r1"])
        let green = try #require(deploy.commands.first { $0.stage == "Green/\(Self.hostile)" })
        #expect(green.argv == ["cutover", "deploy", "--service", Self.hostile, "--artifact", "", "--release", "r1"])
    }
}
