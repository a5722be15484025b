import Crypto
import Foundation

/// The bearer tokens the server accepts and the scope of each. Only SHA-256 digests are kept, and a
/// presented token is compared with every entry in constant time, so neither the values nor which
/// entry matched can be learnt by timing. Nothing here ever logs or describes a token.
public struct TokenSet: Sendable {
    private struct Entry: Sendable {
        var scope: TokenScope
        var digest: [UInt8]
    }

    private let entries: [Entry]

    public init(_ tokens: [(scope: TokenScope, token: String)]) {
        entries = tokens.filter { !$0.token.isEmpty }.map { Entry(scope: $0.scope, digest: Array(SHA256.hash(data: Data($0.token.utf8)))) }
    }

    /// How many tokens are accepted, per scope (for the startup log line).
    public var counts: [TokenScope: Int] {
        Dictionary(grouping: entries, by: \.scope).mapValues(\.count)
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The widest scope of the entries `presented` matches; nil when it matches none. Every entry is
    /// compared, whatever matched first.
    public func scope(of presented: String) -> TokenScope? {
        let digest = Array(SHA256.hash(data: Data(presented.utf8)))
        var found: TokenScope?
        for entry in entries where ConstantTime.equalDigests(entry.digest, digest) {
            found = max(found ?? entry.scope, entry.scope)
        }
        return found
    }

    /// `CUTOVER_API_TOKEN` (operate) and `CUTOVER_READ_TOKEN` (read), then the lines of `file`.
    public static func load(environment: [String: String], file: String?) throws -> TokenSet {
        var tokens: [(scope: TokenScope, token: String)] = []
        if let token = environment["CUTOVER_API_TOKEN"], !token.isEmpty { tokens.append((.operate, token)) }
        if let token = environment["CUTOVER_READ_TOKEN"], !token.isEmpty { tokens.append((.read, token)) }
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw TokenFileError(path: file, line: nil, problem: "cannot be read (check that it exists and its permissions)")
            }
            tokens += try parse(text, path: file)
        }
        return TokenSet(tokens)
    }

    /// Lines `operate <token>` or `read <token>`; blank lines and `#` comments are skipped.
    static func parse(_ text: String, path: String) throws -> [(scope: TokenScope, token: String)] {
        var tokens: [(scope: TokenScope, token: String)] = []
        // "\r\n" is one Character in Swift: normalise first, or CRLF files would be one long line.
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            // The message never quotes the line: it holds a secret.
            guard words.count == 2, let scope = TokenScope(rawValue: String(words[0])) else {
                throw TokenFileError(path: path, line: index + 1, problem: "is not `operate <token>` or `read <token>`")
            }
            guard words[1].count >= 16 else {
                throw TokenFileError(path: path, line: index + 1, problem: "has a token shorter than 16 characters")
            }
            tokens.append((scope, String(words[1])))
        }
        return tokens
    }
}

/// The token file cannot be used. Names the line, never its content.
public struct TokenFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var problem: String
    public var code: String { "serve.token-file" }

    public var description: String {
        "\(path)\(line.map { ":\($0)" } ?? "") \(line == nil ? "" : "line ")\(problem)"
    }
}
