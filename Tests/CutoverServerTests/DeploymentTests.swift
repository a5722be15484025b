import CutoverTesting
import Foundation
import Testing
import Yams

/// The deployment files in deploy/: the systemd unit passes systemd's own checks, the pod parses and
/// runs `cutover serve` on loopback beside jnlp with its secrets from a Secret.
@Suite("Deployment files")
struct DeploymentTests {
    static let unitPath = Paths.repo("deploy/systemd/cutover.service")

    /// `systemd-analyze verify` needs ExecStart's binary to exist: check a copy pointing at the built one.
    static func unitCopy() throws -> (URL, String) {
        let directory = try Paths.temporaryDirectory("unit")
        let unit = try String(contentsOfFile: unitPath, encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/cutover serve -c /etc/cutover/cutover.yml"))
        let copy = directory.appendingPathComponent("cutover.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/cutover", with: Paths.binary).write(to: copy, atomically: true, encoding: .utf8)
        return (directory, copy.path)
    }

    @Test func theSystemdUnitVerifiesCleanly() throws {
        let analyze = try #require(Subprocess.which("systemd-analyze"), "systemd-analyze (Debian package systemd) is needed: scripts/setup installs it")
        let (directory, copy) = try Self.unitCopy()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Subprocess.run(analyze, ["verify", copy])
        // verify exits 0 on an unknown or malformed directive and only warns: any output is a failure.
        #expect(result.status == 0 && result.stderr.isEmpty && result.stdout.isEmpty, "\(result.stderr)\(result.stdout)")
        // The exposure score systemd gives the sandbox (0 best, 10 worst; --threshold counts tenths): at most 2.0.
        let security = try Subprocess.run(analyze, ["security", "--offline=yes", "--threshold=20", copy])
        #expect(security.status == 0, "\(security.stdout.split(separator: "\n").suffix(3).joined(separator: "\n"))")
    }

    @Test func theUnitIsHardened() throws {
        let unit = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
        let settings = Set(unit.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
        for line in ["DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes",
                     "StateDirectory=cutover", "EnvironmentFile=/etc/cutover/cutover.env", "KillSignal=SIGTERM", "CapabilityBoundingSet="] {
            #expect(settings.contains(line), "missing \(line)")
        }
        #expect(!settings.contains { $0.contains("TOKEN=") || $0.contains("SECRET=") }, "no secret in the unit")
    }

    @Test func theAgentPodRunsServeOnLoopbackBesideJnlp() throws {
        let text = try String(contentsOfFile: Paths.repo("deploy/kubernetes/agent-pod.yaml"), encoding: .utf8)
        let pod = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(pod["kind"] as? String == "Pod" && pod["apiVersion"] as? String == "v1")
        let spec = try #require(pod["spec"] as? [String: Any])
        let containers = try #require(spec["containers"] as? [[String: Any]])
        #expect(containers.compactMap { $0["name"] as? String } == ["jnlp", "cutover"])
        let cutover = containers[1]
        let args = try #require(cutover["args"] as? [String])
        #expect(args.first == "serve")
        let listen = try #require(args.firstIndex(of: "--listen").map { args[$0 + 1] })
        #expect(listen.hasPrefix("127.0.0.1:"))
        #expect(args.firstIndex(of: "--watch").map { args[$0 + 1] } == "off", "agent pods do not register pipelines")
        let env = try #require(cutover["env"] as? [[String: Any]])
        let fromSecret = env.filter { (($0["valueFrom"] as? [String: Any])?["secretKeyRef"]) != nil }.compactMap { $0["name"] as? String }
        #expect(Set(fromSecret).isSuperset(of: ["CUTOVER_API_TOKEN", "JENKINS_TOKEN"]))
        #expect(env.allSatisfy { !(($0["name"] as? String ?? "").hasSuffix("TOKEN") && $0["value"] != nil) }, "no token inline")
        let grace = try #require(spec["terminationGracePeriodSeconds"] as? Int)
        let shutdown = try #require(args.firstIndex(of: "--shutdown-timeout").flatMap { Int(args[$0 + 1]) })
        #expect(grace > shutdown, "the pod waits longer than cutover's own shutdown deadline")
        let security = try #require(cutover["securityContext"] as? [String: Any])
        #expect(security["allowPrivilegeEscalation"] as? Bool == false && security["readOnlyRootFilesystem"] as? Bool == true)
    }
}
