import CutoverCore

/// Renders cutover's Ansible playbooks (templates/ansible/*.yml.mustache). Their tags are `<%`/`%>`
/// so Jinja's `{{ }}` passes through, and every value is inserted as a YAML double-quoted scalar.
public enum PlaybookRenderer {
    /// The playbooks cutover ships, by the name a service's `template:` uses.
    public static let names = ["frontend", "feed-normalizer"]

    public static func render(_ name: String, templates: TemplateSet, service: String, hosts: String, healthPath: String) throws -> String {
        let key = "ansible/\(name).yml"
        guard let source = templates.sources[key] else {
            throw RenderError.templates("no playbook template \(key).mustache (known: \(names.joined(separator: ", ")))")
        }
        do {
            var library = TemplateLibrary()
            library.register(try Template(source, delimiters: ("<%", "%>")), named: key)
            let view = TemplateValue.object(["service": .text(service), "hosts": .text(hosts), "health_path": .text(healthPath)])
            return try library.render(key, view, escaping: .yamlDoubleQuoted)
        } catch {
            throw RenderError.template(name: key, reason: "\(error)")
        }
    }

    /// A file shipped beside the templates (the Ansible callback plugin), as it is.
    public static func resource(_ name: String) -> String? {
        TemplateSet.resources[name]
    }
}
