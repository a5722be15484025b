/// The kinds of value a config may hold, each with a deliberately small character set.
///
/// Every value that reaches a Jenkinsfile, job XML, a playbook or a shell command is one of these, so no
/// value can contain a quote, `$`, a backtick, `<`, a newline or a space where one could break out of
/// its context. Rendering still escapes every value for its context: this is the first of two fences.
/// Checks are hand-written scans rather than regular expressions: rendering 2,000 units validates tens
/// of thousands of values and must stay well under 100 ms.
public enum ValueKind: Sendable {
    /// Service, environment, sport and system names: `feed-normalizer`.
    case name
    /// A Jenkins credential ID: `aws-spectate-release`.
    case credentialID
    /// A Jenkins user or group allowed to approve: `release-managers`.
    case principal
    /// A Jenkins agent label expression: `release && linux`.
    case agentLabel
    /// A Jenkins folder path: `releases/spectate`.
    case folderPath
    /// An http(s) URL without credentials, query or fragment.
    case httpURL
    /// A git remote: https, ssh or scp-like `git@host:org/repo.git`.
    case gitURL
    /// A git branch or tag name.
    case gitRef
    /// A file path relative to the repository (or absolute), never escaping it with `..`.
    case path
    /// An AWS region: `eu-west-1`.
    case region
    /// An ELBv2 listener ARN.
    case listenerARN
    /// An ELBv2 listener rule ARN.
    case ruleARN
    /// An ELBv2 target group name: at most 32 letters, digits and hyphens.
    case targetGroupName
    /// An ECS cluster, service, task family or container name.
    case ecsName
    /// A listener rule path pattern: `/feeds/football/*`.
    case pathPattern
    /// A listener rule host pattern: `feeds.example.com`.
    case hostPattern
    /// A playbook variable name: `feed_providers` (passed to Ansible as `cutover_<name>`).
    case variableName
    /// An EC2 tag key or value used to find hosts: `Environment`, `staging`.
    case tag
    /// Free text that only ever reaches JSON (Ansible extra vars): printable, no control characters.
    case text
    /// A container image reference: `registry.example.com/cutover:1.4` or `…@sha256:…`.
    case containerImage
    /// A Kubernetes name (service account): lowercase letters, digits, '-' and '.'.
    case kubernetesName

    /// What a valid value looks like, for the hint of a diagnostic.
    public var expectation: String {
        switch self {
        case .name: "lowercase letters, digits and single hyphens, starting with a letter, at most 40 characters (e.g. feed-normalizer)"
        case .credentialID: "a Jenkins credential ID: letters, digits, '.', '_' and '-', at most 128 characters (e.g. aws-release)"
        case .principal: "a Jenkins user or group: letters, digits, '.', '_', '@' and '-' (e.g. release-managers)"
        case .agentLabel: "a label expression of letters, digits, '_', '.', '-', spaces and the operators && || ! ( ) (e.g. release && linux)"
        case .folderPath: "folder names of letters, digits, '.', '_' and '-', separated by '/' (e.g. releases/spectate)"
        case .httpURL: "an http or https URL with host, optional port and path, no credentials, query or quotes (e.g. https://jenkins.example.com)"
        case .gitURL: "an https, ssh or git@host:path remote of letters, digits and ._~/-@: (e.g. https://git.example.com/team/repo.git)"
        case .gitRef: "a branch or tag of letters, digits and ._/- not starting with '-' and without '..' (e.g. main)"
        case .path: "a path of letters, digits and ._- segments separated by '/', without '..' (e.g. ansible/frontendDeploy.yaml)"
        case .region: "an AWS region (e.g. eu-west-1)"
        case .listenerARN: "an ELBv2 listener ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/ID/ID)"
        case .ruleARN: "an ELBv2 listener rule ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener-rule/app/NAME/ID/ID/ID)"
        case .targetGroupName: "a target group name: 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen"
        case .ecsName: "letters, digits, '_' and '-', at most 255 characters"
        case .pathPattern: "a path pattern starting with '/' of letters, digits and ._~/-*? (e.g. /feeds/football/*)"
        case .hostPattern: "a host name pattern of letters, digits, '.', '-', '*' and '?' (e.g. feeds.example.com)"
        case .variableName: "lowercase letters, digits and '_', starting with a letter, at most 64 characters (e.g. feed_providers)"
        case .tag: "letters, digits, spaces and _ . : / = + - @, at most 128 characters (e.g. Environment)"
        case .text: "printable text without control characters, at most 1024 bytes"
        case .containerImage: "an image reference of letters, digits and ._/:@- (e.g. registry.example.com/cutover:1.4)"
        case .kubernetesName: "lowercase letters, digits, '-' and '.', at most 253 characters (e.g. cutover-release)"
        }
    }

    /// Why `value` is not of this kind, or nil when it is.
    public func problem(with value: String) -> String? {
        if value.isEmpty { return "is empty" }
        // Every accepted character is ASCII, so a UTF-8 count is the character count of any valid value.
        if value.utf8.count > 1024 { return "is \(value.utf8.count) bytes long" }
        if value.utf8.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) { return "contains a line break" }
        // Characters, as a person counts them; for ASCII without line breaks that is the byte count,
        // which needs no grapheme breaking (validating a large config checks tens of thousands of values).
        let length = value.utf8.allSatisfy { $0 < 0x80 } ? value.utf8.count : value.count
        switch self {
        case .name:
            if length > 40 { return "is \(length) characters long" }
            guard Self.isLower(value.unicodeScalars.first!) else { return "must start with a lowercase letter" }
            if let c = value.unicodeScalars.first(where: { !(Self.isLower($0) || Self.isDigit($0) || $0 == "-") }) {
                return "contains \(Self.show(c))"
            }
            if value.hasSuffix("-") || Self.containsDoubled(value, "-") { return "has a trailing or doubled hyphen" }
        case .credentialID:
            if length > 128 { return "is \(length) characters long" }
            if value.hasPrefix("-") || value.hasPrefix(".") { return "must start with a letter or digit" }
            if let c = firstOutside(value, extra: "._-") { return "contains \(Self.show(c))" }
        case .principal:
            if length > 128 { return "is \(length) characters long" }
            if value.hasPrefix("-") { return "must not start with '-'" }
            if let c = firstOutside(value, extra: "._@-") { return "contains \(Self.show(c))" }
        case .agentLabel:
            if length > 200 { return "is \(length) characters long" }
            if let c = firstOutside(value, extra: "_.- &|!()") { return "contains \(Self.show(c))" }
        case .folderPath:
            if length > 255 { return "is \(length) characters long" }
            for segment in value.split(separator: "/", omittingEmptySubsequences: false) {
                if segment.isEmpty { return "has an empty folder name (leading, trailing or doubled '/')" }
                if segment == "." || segment == ".." { return "uses '\(segment)' as a folder name" }
                if let c = firstOutside(segment, extra: "._-") { return "contains \(Self.show(c))" }
            }
        case .httpURL:
            return urlProblem(value, schemes: ["http://", "https://"])
        case .gitURL:
            if value.hasPrefix("https://") || value.hasPrefix("http://") || value.hasPrefix("ssh://") {
                return urlProblem(value, schemes: ["http://", "https://", "ssh://"], allowUser: true)
            }
            // scp-like: user@host:path
            guard let at = value.firstIndex(of: "@"), let colon = value.firstIndex(of: ":"), at < colon else {
                return "is not an https://, ssh:// or user@host:path remote"
            }
            if length > 255 { return "is \(length) characters long" }
            if let c = firstOutside(value, extra: "._~/-@:") { return "contains \(Self.show(c))" }
            if Self.containsDoubled(value, ".") { return "contains '..'" }
        case .gitRef:
            if length > 255 { return "is \(length) characters long" }
            if value.hasPrefix("-") || value.hasPrefix("/") || value.hasSuffix("/") { return "must not start with '-' or '/' or end with '/'" }
            if Self.containsDoubled(value, ".") { return "contains '..'" }
            if let c = firstOutside(value, extra: "._/-") { return "contains \(Self.show(c))" }
        case .path:
            if length > 255 { return "is \(length) characters long" }
            if value.hasPrefix("-") { return "must not start with '-'" }
            let relative = value.hasPrefix("/") ? String(value.dropFirst()) : value
            for segment in relative.split(separator: "/", omittingEmptySubsequences: false) {
                if segment.isEmpty { return "has an empty segment (trailing or doubled '/')" }
                if segment == ".." { return "climbs out with '..'" }
                if let c = firstOutside(segment, extra: "._-") { return "contains \(Self.show(c))" }
            }
        case .region:
            let parts = value.split(separator: "-", omittingEmptySubsequences: false)
            let lettersOnly = parts.dropLast().allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy(Self.isLower) }
            let last = parts.last.map { !$0.isEmpty && $0.unicodeScalars.allSatisfy(Self.isDigit) } ?? false
            if parts.count < 3 || !lettersOnly || !last { return "is not a region name" }
        case .listenerARN:
            return arnProblem(value, resource: "listener", ids: 2)
        case .ruleARN:
            return arnProblem(value, resource: "listener-rule", ids: 3)
        case .targetGroupName:
            if length > 32 { return "is \(length) characters long (ELBv2 allows 32)" }
            if value.hasPrefix("-") || value.hasSuffix("-") { return "starts or ends with a hyphen" }
            if let c = firstOutside(value, extra: "-") { return "contains \(Self.show(c))" }
        case .ecsName:
            if length > 255 { return "is \(length) characters long" }
            if let c = firstOutside(value, extra: "_-") { return "contains \(Self.show(c))" }
        case .pathPattern:
            if length > 128 { return "is \(length) characters long" }
            guard value.hasPrefix("/") else { return "must start with '/'" }
            if let c = firstOutside(value, extra: "._~/-*?") { return "contains \(Self.show(c))" }
        case .hostPattern:
            if length > 128 { return "is \(length) characters long" }
            if let c = firstOutside(value, extra: ".-*?") { return "contains \(Self.show(c))" }
        case .variableName:
            if length > 64 { return "is \(length) characters long" }
            guard Self.isLower(value.unicodeScalars.first!) else { return "must start with a lowercase letter" }
            if let c = value.unicodeScalars.first(where: { !(Self.isLower($0) || Self.isDigit($0) || $0 == "_") }) {
                return "contains \(Self.show(c))"
            }
        case .tag:
            if length > 128 { return "is \(length) characters long" }
            if let c = firstOutside(value, extra: " _.:/=+-@") { return "contains \(Self.show(c))" }
        case .text:
            if let c = value.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }) {
                return "contains \(Self.show(c))"
            }
        case .containerImage:
            if length > 255 { return "is \(length) characters long" }
            if value.hasPrefix("-") { return "starts with '-'" }
            if let c = firstOutside(value, extra: "._/:@-") { return "contains \(Self.show(c))" }
        case .kubernetesName:
            if length > 253 { return "is \(length) characters long" }
            guard Self.isLower(value.unicodeScalars.first!) || Self.isDigit(value.unicodeScalars.first!) else { return "must start with a lowercase letter or digit" }
            if let c = value.unicodeScalars.first(where: { !(Self.isLower($0) || Self.isDigit($0) || $0 == "-" || $0 == ".") }) {
                return "contains \(Self.show(c))"
            }
        }
        return nil
    }

    private func urlProblem(_ value: String, schemes: [String], allowUser: Bool = false) -> String? {
        if value.count > 255 { return "is \(value.count) characters long" }
        guard let scheme = schemes.first(where: { value.hasPrefix($0) }) else {
            return "must start with \(schemes.joined(separator: " or "))"
        }
        let rest = value.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        if authority.isEmpty { return "has no host" }
        if !allowUser && authority.contains("@") { return "must not carry credentials; name a Jenkins credential ID instead" }
        if let c = firstOutside(authority, extra: ".-:" + (allowUser ? "@_" : "")) { return "contains \(Self.show(c))" }
        if let c = firstOutside(path, extra: "._~/-") { return "contains \(Self.show(c)) in its path" }
        if Self.containsDoubled(path, ".") { return "contains '..'" }
        return nil
    }

    private func arnProblem(_ value: String, resource: String, ids: Int) -> String? {
        let fields = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[1].hasPrefix("aws"),
              fields[2] == "elasticloadbalancing" else {
            return "is not an elasticloadbalancing ARN"
        }
        if ValueKind.region.problem(with: String(fields[3])) != nil { return "has no valid region" }
        if fields[4].count != 12 || !fields[4].unicodeScalars.allSatisfy(Self.isDigit) { return "has no 12-digit account id" }
        let path = fields[5].split(separator: "/", omittingEmptySubsequences: false)
        guard path.count == 3 + ids, path[0] == resource, path[1] == "app" || path[1] == "net" else {
            return "is not a \(resource) ARN"
        }
        for segment in path.dropFirst(2) {
            if segment.isEmpty { return "has an empty segment" }
            if let c = firstOutside(segment, extra: "-") { return "contains \(Self.show(c))" }
        }
        return nil
    }

    /// The first character that is neither a letter, a digit nor one of `extra` (ASCII).
    private func firstOutside(_ value: some StringProtocol, extra: String) -> Unicode.Scalar? {
        value.unicodeScalars.first { !(Self.isAlnum($0) || ($0.isASCII && extra.utf8.contains(UInt8($0.value)))) }
    }

    /// Whether `value` holds `character` twice in a row ("--", ".."), compared byte by byte: Foundation's
    /// `contains` goes through a locale-aware search.
    private static func containsDoubled(_ value: some StringProtocol, _ character: Unicode.Scalar) -> Bool {
        let byte = UInt8(character.value)
        var previous: UInt8 = 0
        for current in value.utf8 {
            if current == byte && previous == byte { return true }
            previous = current
        }
        return false
    }

    static func isLower(_ c: Unicode.Scalar) -> Bool { c >= "a" && c <= "z" }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    static func isAlnum(_ c: Unicode.Scalar) -> Bool { isLower(c) || isDigit(c) || (c >= "A" && c <= "Z") }

    /// Names a character so that an invisible or hostile one is still readable in a terminal.
    static func show(_ c: Unicode.Scalar) -> String {
        switch c {
        case " ": return "a space"
        case "\t": return "a tab"
        case "'": return "a single quote (')"
        case "\"": return "a double quote (\")"
        default:
            if c.value < 0x20 || c.value == 0x7f || c.value > 0x7e {
                return "the character U+\(String(c.value, radix: 16, uppercase: true))"
            }
            return "'\(Character(c))'"
        }
    }
}
