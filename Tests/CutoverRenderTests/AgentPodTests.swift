import CutoverCore
@testable import CutoverRender
import CutoverTesting
import Foundation
import Testing

/// `jenkins.sidecar.kubernetes`: the agent pod is a reviewed file, parses as YAML (PyYAML, an independent
/// parser) into jnlp plus the sidecar running `cutover serve` on loopback, and no value escapes its
/// YAML string.
@Suite("The Kubernetes agent pod")
struct AgentPodTests {
    /// The pod as PyYAML reads it, as JSON.
    static func parse(_ yaml: String) throws -> [String: Any] {
        let dir = try Paths.temporaryDirectory("pod")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pod.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let result = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3",
                                        ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    static func containers(_ pod: [String: Any]) -> [[String: Any]] {
        (pod["spec"] as? [String: Any])?["containers"] as? [[String: Any]] ?? []
    }

    @Test func thePodIsJnlpAndTheSidecarServingTheCheckedOutConfig() throws {
        let config = try ConfigVariants.example(with: ConfigVariants.kubernetes)
        let agent = try #require(config.jenkins.sidecar?.kubernetes)
        #expect([agent.image, agent.serviceAccount, agent.secret] == ["registry.example.com/cutover:1.4", "cutover-release", "cutover-sidecar"])
        let files = try Renderer().render(config)
        let yaml = try #require(files.first { $0.path == "production/agent-pod.yaml" }).contents
        try RenderedGolden.check("agent-pod.yaml", yaml)
        let pod = try Self.parse(yaml)
        let spec = try #require(pod["spec"] as? [String: Any])
        #expect(spec["serviceAccountName"] as? String == "cutover-release")
        #expect(Self.containers(pod).map { $0["name"] as? String } == ["jnlp", "cutover"])
        let sidecar = try #require(Self.containers(pod).last)
        #expect(sidecar["image"] as? String == "registry.example.com/cutover:1.4")
        #expect(sidecar["command"] as? [String] == ["/bin/sh", "-c"])
        let script = try #require((sidecar["args"] as? [String])?.first)
        #expect(script.contains("exec cutover serve -c \"$CUTOVER_CONFIG\" --watch off --listen \"$CUTOVER_LISTEN\""))
        let env = Dictionary(uniqueKeysWithValues: (sidecar["env"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["value"] as? String ?? "") })
        #expect(env == ["CUTOVER_CONFIG": "/home/jenkins/agent/cutover-workspace/examples/spectate.yml",
                        "CUTOVER_LISTEN": "127.0.0.1:8780", "CUTOVER_SHARED_BINARY": "/home/jenkins/agent/cutover-bin/cutover"])
        #expect(((sidecar["envFrom"] as? [[String: Any]])?.first?["secretRef"] as? [String: Any])?["name"] as? String == "cutover-sidecar")

        // The Jenkinsfiles run in this pod, reach the sidecar on loopback and run its shared binary.
        for file in files where file.path.hasPrefix("production/") && file.path.hasSuffix("/Jenkinsfile") {
            #expect(file.contents.contains("        kubernetes {\n            customWorkspace '/home/jenkins/agent/cutover-workspace'\n            yaml '''\n"), "\(file.path)")
            #expect(file.contents.contains("CUTOVER_SERVER = 'http://127.0.0.1:8780'"))
            #expect(file.contents.contains("CUTOVER_BINARY = '/home/jenkins/agent/cutover-bin/cutover'"))
            #expect(!file.contents.contains("agent { label"))
        }
    }

    @Test func withoutAccountOrSecretThePodNamesNeither() throws {
        let config = try ConfigVariants.example(with: "  sidecar:\n    credential: token\n    kubernetes: {image: cutover}\n")
        let pod = try Self.parse(try #require(try Renderer().render(config).first { $0.path == "staging/agent-pod.yaml" }).contents)
        #expect((pod["spec"] as? [String: Any])?["serviceAccountName"] == nil)
        #expect(Self.containers(pod).last?["envFrom"] == nil)
    }

    @Test func hostileValuesStayOneYAMLStringEach() throws {
        var config = try ConfigVariants.example(with: ConfigVariants.kubernetes)
        let hostile = HostileRenderTests.hostile + "\n- name: evil\n  image: x"
        config.jenkins.sidecar?.kubernetes?.image = hostile
        config.jenkins.sidecar?.kubernetes?.serviceAccount = hostile
        config.jenkins.sidecar?.kubernetes?.secret = hostile
        config.jenkins.configPath = hostile
        config.name = hostile
        let files = try Renderer().render(config)
        let pod = try Self.parse(try #require(files.first { $0.path == "staging/agent-pod.yaml" }).contents)
        #expect((pod["spec"] as? [String: Any])?["serviceAccountName"] as? String == hostile)
        #expect(Self.containers(pod).map { $0["name"] as? String } == ["jnlp", "cutover"])
        #expect(Self.containers(pod).last?["image"] as? String == hostile)
        // And the Jenkinsfile that embeds it, compiled by real Groovy, holds exactly that YAML as data.
        let repository = try ConfigVariants.renderRepository(files.map { ($0.path, $0.contents) }, renderedPath: "jenkins", label: "hostile-pod")
        defer { try? FileManager.default.removeItem(at: repository) }
        let results = try PipelineHarness.run([.init(id: "promote", jenkinsfile: repository.appendingPathComponent("jenkins/staging/promote/Jenkinsfile").path,
                                                     options: PipelineHarness.libraryOptions(repository: repository.path) + ["--param", "RELEASE=r1"])])
        let run = PipelineRun(try #require(results["promote"]))
        #expect(run.valid, "\(run.errors)")
        let embedded = (run.raw["agent"] as? [String: Any])?["yaml"] as? String
        #expect(embedded?.trimmingCharacters(in: .newlines) == files.first { $0.path == "staging/agent-pod.yaml" }?.contents.trimmingCharacters(in: .newlines))
    }
}
