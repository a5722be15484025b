import CutoverCore

/// The host variables an EC2 tag `ansible:<var>` may set, and the values each may take.
///
/// Whoever may tag an instance is not trusted with the Jenkins agent: a tag `ansible:ansible_connection`
/// (local), `ansible:ansible_ssh_common_args` (a ProxyCommand) or `ansible:ansible_python_interpreter`
/// would run commands on the agent, which holds the AWS credentials. So only where to reach a host and
/// what the playbooks document as host vars (templates/ansible/README.md) are taken, each with a small
/// value set (an `ansible_host` of `-oProxyCommand=...` would be an ssh option); connection settings come
/// from the config's `ansible:` or a static inventory.
enum HostTagVariables {
    static let prefix = "ansible:"

    enum Kind {
        case port, host, user, count, absolutePath, urlPath, serviceManager

        func problem(with value: String) -> String? {
            let scalars = value.unicodeScalars
            func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
            func only(_ extra: String) -> Bool {
                !scalars.isEmpty && scalars.allSatisfy { c in
                    isDigit(c) || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || extra.unicodeScalars.contains(c)
                }
            }
            switch self {
            case .port:
                guard scalars.allSatisfy(isDigit), let port = Int(value), (1...65535).contains(port) else { return "is not a port from 1 to 65535" }
            case .count:
                guard (1...4).contains(scalars.count), scalars.allSatisfy(isDigit) else { return "is not a whole number" }
            case .host:
                guard only(".-:"), !value.hasPrefix("-"), value.count <= 253 else { return "is not a host name or IP address" }
            case .user:
                guard only("._-"), !value.hasPrefix("-"), value.count <= 64 else { return "is not a user name (letters, digits, '.', '_', '-')" }
            case .absolutePath:
                guard value.hasPrefix("/"), ValueKind.path.problem(with: value) == nil else { return "is not an absolute path of letters, digits and ._-" }
            case .urlPath:
                guard value.hasPrefix("/"), only("/._-~"), value.count <= 255 else { return "is not a URL path of letters, digits and /._-~" }
            case .serviceManager:
                guard ["systemd", "process"].contains(value) else { return "is not systemd or process" }
            }
            return nil
        }
    }

    /// The allow-list: Ansible's address, port and user of a host, and the playbooks' documented host vars
    /// that are single values (`app_exec` is a list, which a tag cannot hold).
    static let allowed: [String: Kind] = [
        "ansible_host": .host, "ansible_port": .port, "ansible_user": .user, "app_port": .port,
        "install_root": .absolutePath, "service_manager": .serviceManager, "app_user": .user, "health_host": .host,
        "health_path": .urlPath, "health_retries": .count, "health_delay": .count, "keep_releases": .count,
    ]

    /// The host variables of one instance's tags, or every refused tag as a line naming the instance.
    static func variables(instance: String, tags: [String: String]) -> (variables: [String: String], problems: [String]) {
        var variables: [String: String] = [:], problems: [String] = []
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            guard let kind = allowed[name] else {
                problems.append("\(instance): tag \(shown(key)) is not a host variable cutover takes from tags")
                continue
            }
            if let problem = kind.problem(with: value) {
                problems.append("\(instance): tag \(shown(key)) \(problem)")
                continue
            }
            variables[name] = value
        }
        return (variables, problems)
    }

    /// The error for every refused tag of a unit's instances.
    static func refusal(unit: String, problems: [String]) -> StepError {
        StepError(code: "deploy.host-tag", message: """
            \(unit): refused \(problems.count) EC2 tag(s) before running Ansible:
              \(problems.joined(separator: "\n  "))
            hint: remove the tags; tags may set only \(allowed.keys.sorted().joined(separator: ", ")). Connection \
            settings belong in the config (`ansible: {connection: local, python_interpreter: /usr/bin/python3}` \
            under the service) or a static inventory
            """)
    }

    /// A tag key as it is printed: quoted, with anything unprintable escaped, so a hostile key stays readable.
    static func shown(_ key: String) -> String {
        let escaped = key.unicodeScalars.map { scalar -> String in
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "'" || scalar == "\\" {
                return "\\u{\(String(scalar.value, radix: 16))}"
            }
            return String(scalar)
        }.joined()
        return "'\(escaped.prefix(140))'"
    }
}
