/// Reads the shared credentials file (`~/.aws/credentials`) the way botocore does: Python's
/// `configparser.RawConfigParser` with botocore's `SharedCredentialProvider` on top.
/// File format: https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
///
/// Sections are bare profile names (`[default]`, `[ci]`); unlike `~/.aws/config` there is no
/// `[profile name]` form here, so such a section only matches a profile literally named
/// `profile name`. Full-line `#`/`;` comments, `=` or `:` with any spaces around, case-insensitive
/// key names and `[DEFAULT]` values inherited by every section all follow configparser.
public enum SharedCredentialsFile {
    /// The profile's credentials, or nil when the profile is absent, lacks a non-empty
    /// `aws_access_key_id` or `aws_secret_access_key`, or the file does not parse (configparser
    /// rejects duplicate sections and keys, keys before any section, and lines without `=`/`:`;
    /// botocore then fails rather than guess, and so does this).
    /// The token is `aws_security_token` if present, else `aws_session_token`, as in botocore.
    public static func credentials(profile: String, text: String) -> AWSCredentials? {
        guard let sections = parse(text), let values = sections[profile] else { return nil }
        let merged = values.merging(sections[defaultSection] ?? [:]) { own, _ in own }
        guard let accessKeyID = merged["aws_access_key_id"], !accessKeyID.isEmpty, !accessKeyID.contains("\n"),
              let secret = merged["aws_secret_access_key"], !secret.isEmpty, !secret.contains("\n")
        else { return nil }
        let token = merged["aws_security_token"] ?? merged["aws_session_token"]
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secret,
            sessionToken: token.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Where the AWS CLI looks: `$AWS_SHARED_CREDENTIALS_FILE`, else `$HOME/.aws/credentials`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["AWS_SHARED_CREDENTIALS_FILE"], !path.isEmpty { return path }
        return (environment["HOME"] ?? "~") + "/.aws/credentials"
    }

    /// configparser's name for the section whose keys every other section inherits.
    static let defaultSection = "DEFAULT"

    /// Section name -> lowercased key -> value (multi-line values joined by `\n`), or nil if
    /// configparser would raise. Mirrors `RawConfigParser._read` with its default options.
    static func parse(_ text: String) -> [String: [String: String]]? {
        var sections: [String: [String: [String]]] = [:]
        var current: String?
        var option: String?
        var indentLevel = 0
        // Split on scalars: as a Character, "\r\n" is one grapheme and would not match "\n".
        for rawLine in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = Substring(rawLine)
            let value = strip(line)
            if value.hasPrefix("#") || value.hasPrefix(";") { continue }  // comment lines: not even blank
            if value.isEmpty {
                // Blank lines inside a multi-line value belong to it (trailing ones are trimmed below).
                if let current, let option { sections[current]![option]!.append("") }
                continue
            }
            let indent = line.unicodeScalars.prefix { isSpace($0) }.count
            if let current, let option, indent > indentLevel {
                sections[current]![option]!.append(value)
                continue
            }
            indentLevel = indent
            if value.hasPrefix("["), let close = value.lastIndex(of: "]"), value.distance(from: value.startIndex, to: close) > 1 {
                let name = String(value[value.index(after: value.startIndex)..<close])
                if sections[name] != nil, name != defaultSection { return nil }  // DuplicateSectionError
                sections[name, default: [:]] = sections[name] ?? [:]
                current = name
                option = nil
                continue
            }
            guard let current else { return nil }  // MissingSectionHeaderError
            guard let delimiter = value.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }  // ParsingError
            let name = strip(value[..<delimiter]).lowercased()
            if name.isEmpty || sections[current]![name] != nil { return nil }  // ParsingError, DuplicateOptionError
            sections[current]![name] = [strip(value[value.index(after: delimiter)...])]
            option = name
        }
        return sections.mapValues { options in
            options.mapValues { lines in
                var joined = lines.joined(separator: "\n")
                while let last = joined.unicodeScalars.last, isSpace(last) { joined.unicodeScalars.removeLast() }
                return joined
            }
        }
    }

    /// Python's `str.isspace` for one scalar: Unicode whitespace plus the separators 0x1C-0x1F.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    /// Python's `str.strip()`.
    static func strip(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
