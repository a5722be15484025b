import CutoverAWS
import CutoverCore
import CutoverRender
import Foundation

extension DeployUnit {
    /// The Ansible settings of an instance-fleet unit, nil for ECS.
    public var ansibleDeployment: AnsibleDeployment? {
        if case .ansible(let deployment) = deployment { return deployment }
        return nil
    }
}

/// One host of a fleet colour: how Ansible names and reaches it, and what the target group registers.
public struct FleetHost: Sendable, Codable, Equatable {
    /// The inventory name (an instance id for hosts found by tags).
    public var name: String
    /// Where HTTP checks reach it.
    public var address: String
    /// What the target group registers: an instance id or an IP, with the service's port.
    public var target: Target
    /// Host variables for a generated inventory.
    public var variables: [String: String]

    public init(name: String, address: String, target: Target, variables: [String: String] = [:]) {
        self.name = name
        self.address = address
        self.target = target
        self.variables = variables
    }
}

/// Finds the hosts of one colour of a fleet unit: from the static inventory the config names (read by
/// `ansible-inventory`, so every format Ansible reads works), or from EC2 by tags.
public struct HostDiscovery: Sendable {
    public var unit: DeployUnit
    public var deployment: AnsibleDeployment
    /// The directory relative paths in the config are resolved from (the config file's).
    public var baseDirectory: URL
    public var ec2: EC2Client?

    public init(unit: DeployUnit, deployment: AnsibleDeployment, baseDirectory: URL, ec2: EC2Client?) {
        self.unit = unit
        self.deployment = deployment
        self.baseDirectory = baseDirectory
        self.ec2 = ec2
    }

    public var inventoryPath: String? {
        deployment.inventory.map { $0.hasPrefix("/") ? $0 : baseDirectory.appendingPathComponent($0).path }
    }

    public func hosts(_ color: Color) async throws -> [FleetHost] {
        if let inventoryPath { return try await staticHosts(color, inventory: inventoryPath) }
        guard let ec2 else { throw StepError(code: "deploy.no-hosts", message: "\(unit.id) has no inventory and no EC2 access to find hosts by tags") }
        var filters: [(name: String, values: [String])] = [
            ("tag:\(Tag.service)", [unit.service]), ("tag:\(Tag.color)", [color.rawValue]), ("instance-state-name", ["running"]),
        ]
        if let sport = unit.sport { filters.append(("tag:cutover:sport", [sport])) }
        for tag in deployment.hostTags { filters.append(("tag:\(tag.key)", [tag.value])) }
        var problems: [String] = []
        let hosts = try await ec2.describeInstances(filters: filters).map { instance in
            // Tags named `ansible:<var>` become host variables, only those on the allow-list.
            let tagged = HostTagVariables.variables(instance: instance.id, tags: instance.tags)
            problems += tagged.problems
            var variables = tagged.variables
            let address = variables["ansible_host"] ?? instance.privateIP ?? instance.id
            variables["ansible_host"] = address
            let port = variables["app_port"].flatMap { Int($0) } ?? deployment.port
            variables["app_port"] = String(port)
            return FleetHost(name: instance.id, address: address, target: Target(id: instance.id, port: port), variables: variables)
        }
        guard problems.isEmpty else { throw HostTagVariables.refusal(unit: unit.id, problems: problems) }
        return hosts
    }

    /// Reads the inventory with `ansible-inventory --list` and returns the hosts of the colour's group.
    /// Host vars: `ansible_host` (address), `app_port` (default: the service's port) and `target_id`
    /// (what to register; default the address, i.e. an IP target).
    func staticHosts(_ color: Color, inventory: String) async throws -> [FleetHost] {
        guard FileManager.default.fileExists(atPath: inventory) else {
            throw StepError(code: "deploy.inventory", message: "the inventory \(inventory) of \(unit.id) does not exist\nhint: fix `inventory:` in the config (relative to the config file)")
        }
        let result = try await ProcessRunner.run("ansible-inventory", ["-i", inventory, "--list"], environment: ["ANSIBLE_NOCOLOR": "1"])
        guard result.status == 0, let document = try? JSONValue.decode(Data(result.stdout.utf8)) else {
            throw StepError(code: "deploy.inventory", message: "ansible-inventory could not read \(inventory): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let names = document[color.rawValue]?["hosts"]?.array?.compactMap(\.string) ?? []
        return names.map { name in
            let variables = document["_meta"]?["hostvars"]?[name]?.object ?? [:]
            func text(_ key: String) -> String? {
                switch variables[key] {
                case .string(let value)?: value
                case .int(let value)?: String(value)
                default: nil
                }
            }
            let address = text("ansible_host") ?? name
            let port = text("app_port").flatMap { Int($0) } ?? deployment.port
            return FleetHost(name: name, address: address, target: Target(id: text("target_id") ?? address, port: port))
        }
    }

    /// A YAML inventory for hosts found by tags: one group named after the colour. Every value is
    /// `!unsafe` so Ansible never evaluates Jinja that came from a tag.
    public static func inventory(_ hosts: [FleetHost], color: Color) -> String {
        var lines = ["all:", "  children:", "    \(color.rawValue):", "      hosts:"]
        for host in hosts {
            lines.append("        \(Escape.yamlDoubleQuoted(host.name)):")
            for (key, value) in host.variables.sorted(by: { $0.key < $1.key }) {
                lines.append("          \(Escape.yamlDoubleQuoted(key)): !unsafe \(Escape.yamlDoubleQuoted(value))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
