import CutoverRender
import CutoverTesting
import Foundation
import Testing

/// cutover's own playbooks as rendered: valid for real ansible-playbook, values inserted as data.
@Suite struct PlaybookTests {
    static let hostile = "x\" ${env} $(id) `id` {{ lookup('pipe', 'id') }}\n\u{202E}: - [a]"

    @Test(arguments: PlaybookRenderer.names)
    func renderedPlaybooksPassSyntaxCheck(name: String) throws {
        let directory = try Paths.temporaryDirectory("playbook")
        let text = try PlaybookRenderer.render(name, templates: TemplateSet(), service: name, hosts: "green", healthPath: "/health")
        #expect(text.contains("hosts: \"green\""))
        #expect(!text.contains("<%"), "every tag rendered")
        let path = directory.appendingPathComponent("\(name).yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Subprocess.run(Subprocess.which("ansible-playbook") ?? "/usr/bin/ansible-playbook",
                                        ["--syntax-check", "-i", "localhost,", path], environment: ["ANSIBLE_NOCOLOR": "1"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func hostileValuesStayOneYAMLString() throws {
        let text = try PlaybookRenderer.render("frontend", templates: TemplateSet(), service: Self.hostile, hosts: "green", healthPath: Self.hostile)
        let directory = try Paths.temporaryDirectory("playbook-hostile")
        let path = directory.appendingPathComponent("play.yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        // An independent YAML reader (PyYAML, Ansible's own) reads the play name back exactly.
        let script = """
        import sys, yaml
        class Loader(yaml.SafeLoader): pass
        Loader.add_multi_constructor('!', lambda loader, suffix, node: loader.construct_scalar(node))
        play = yaml.load(open(sys.argv[1]), Loader=Loader)[0]
        assert play['vars']['cutover_default_health_path'] == play['name']
        print(play['name'], end='')
        """
        let result = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3", ["-c", script, path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.hostile)
    }
}
