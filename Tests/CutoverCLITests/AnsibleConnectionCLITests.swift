import CutoverTesting
import Foundation
import Testing

/// The service's `ansible:` key: the only place (with a static inventory) connection settings come from.
@Suite("ansible connection settings in the config")
struct AnsibleConnectionCLITests {
    func validate(_ ansible: String) throws -> ProcessResult {
        let directory = try Paths.temporaryDirectory("ansible-connection")
        let example = try String(contentsOfFile: Paths.repo(Fixtures.examplePath), encoding: .utf8)
        let text = example.replacingOccurrences(of: "\n    health_path: /health\n", with: "\n    health_path: /health\n    ansible: \(ansible)\n")
        #expect(text != example, "the example still has the frontend's health_path line")
        let config = directory.appendingPathComponent("cutover.yml").path
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        return try CLI.run(["validate", "-c", config])
    }

    @Test func acceptsAKnownConnectionAndAnAbsoluteInterpreter() throws {
        let result = try validate("{connection: local, python_interpreter: /usr/bin/python3}")
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func refusesEveryBadValueAndUnknownKeyAtOnce() throws {
        let result = try validate("{connection: chroot, python_interpreter: 'python3 -c x', ssh_common_args: '-o ProxyCommand=x'}")
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: services.frontend.ansible.connection: 'chroot' is not a connection cutover accepts\n  hint: write one of ssh, local, paramiko_ssh"), "\(result.stderr)")
        #expect(result.stderr.contains("error: services.frontend.ansible.python_interpreter: 'python3 -c x' contains a space"), "\(result.stderr)")
        #expect(result.stderr.contains("error: services.frontend.ansible.ssh_common_args: is not a known key\n  hint: known keys here: connection, python_interpreter"), "\(result.stderr)")
    }
}
