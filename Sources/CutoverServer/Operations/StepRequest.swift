import Crypto
import CutoverCore
import Foundation

/// The body of `POST /v1/environments/{env}/{step}`, decoded and checked: the step's command-line
/// arguments, where to run it, and the Jenkins build it runs for.
///
/// Options come in two spellings that end as the same argument list: JSON keys for people and scripts
/// (`{"release": "2026.12.02-1", "dryRun": true}` → `--release=2026.12.02-1 --dry-run`) and `arguments`,
/// the words after the step on a command line, which is what `cutover <step> --server` sends. Every
/// value is passed as `--name=value` in an argument vector, never through a shell, so a value that
/// starts with `--` stays a value. The step's own parser then checks the whole list (`StepCatalog`).
public struct StepRequest: Sendable, Equatable {
    /// The arguments after the step's command words, without `--config` and `--env` (the daemon adds those).
    public var arguments: [String]
    /// An absolute config path the daemon must be able to read (the caller's checkout on a shared
    /// volume); nil means the daemon's own config.
    public var config: String?
    /// The SHA-256 (hex) the caller read at `config`: a different file at the same path is refused.
    public var configSHA256: String?
    /// Where the step runs (relative paths such as the migrations folder resolve against it).
    public var workingDirectory: String?
    /// Jenkins build variables (BUILD_URL, …) the step records in the journal.
    public var build: [String: String]

    /// Keys that are the request's own, not the step's options.
    static let reserved: Set<String> = ["arguments", "config", "configSHA256", "workingDirectory", "build"]
    /// Options the daemon decides: the config and the environment are its own (or the caller's
    /// checked file), the state store comes from that config, and help would run nothing.
    /// A database URL holds a password: it never travels in a request or reaches an argument vector.
    static let forbidden: Set<String> = ["config", "c", "env", "state", "server", "help", "h", "version", "database-url"]
    /// The Jenkins variables a caller may pass on (what a journal entry links to).
    public static let buildVariables: Set<String> = ["BUILD_URL", "BUILD_NUMBER", "BUILD_TAG", "JOB_NAME", "BUILD_USER_ID"]

    public init(arguments: [String] = [], config: String? = nil, configSHA256: String? = nil, workingDirectory: String? = nil,
                build: [String: String] = [:]) {
        self.arguments = arguments
        self.config = config
        self.configSHA256 = configSHA256
        self.workingDirectory = workingDirectory
        self.build = build
    }

    /// The `configSHA256` of a config file's bytes (lowercase hex): what the client sends and the daemon
    /// checks, computed by this one function on both sides.
    public static func configDigest(_ data: Data) -> String {
        SHA256.hash(data: data).lowercaseHex
    }

    /// Decodes a body (empty means `{}`). Throws `StepRequestError` naming the key that is wrong.
    public static func decode(_ body: Data) throws -> StepRequest {
        let text = body.isEmpty ? Data("{}".utf8) : body
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: text) else {
            throw StepRequestError("the body must be a JSON object, e.g. {\"release\": \"2026.12.02-1\"}")
        }
        var request = StepRequest()
        if let value = object["arguments"] {
            guard case .array(let items) = value, let words = items.strings else { throw StepRequestError("`arguments` must be a list of strings") }
            request.arguments = words
        }
        request.config = try string(object, "config")
        request.configSHA256 = try string(object, "configSHA256")
        request.workingDirectory = try string(object, "workingDirectory")
        if let value = object["build"] {
            guard case .object(let fields) = value else { throw StepRequestError("`build` must be an object of strings") }
            for (key, field) in fields {
                guard case .string(let value) = field else { throw StepRequestError("`build.\(key)` must be a string") }
                guard buildVariables.contains(key) else {
                    throw StepRequestError("`build.\(key)` is not passed on; use \(buildVariables.sorted().joined(separator: ", "))")
                }
                guard value.utf8.count <= 1024, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                    throw StepRequestError("`build.\(key)` must be printable text of at most 1024 bytes")
                }
                request.build[key] = value
            }
        }
        for path in [request.config, request.workingDirectory].compactMap({ $0 }) where !path.hasPrefix("/") {
            throw StepRequestError("\(path.debugDescription) must be an absolute path (the daemon's working directory is not the caller's)")
        }
        for key in object.keys.sorted() where !reserved.contains(key) {
            request.arguments += try words(option: key, value: object[key]!)
        }
        try checkForbidden(request.arguments)
        return request
    }

    /// `dryRun` or `dry-run` → `--dry-run`; true → the flag, false/null → nothing, a list → repeated.
    static func words(option key: String, value: JSONValue) throws -> [String] {
        let name = kebab(key)
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }),
              !name.hasPrefix("-") else {
            throw StepRequestError("\(key.debugDescription) is not an option name (letters, digits and '-')")
        }
        guard !forbidden.contains(name) else { throw forbiddenError(name) }
        switch value {
        case .null: return []
        case .bool(let on): return on ? ["--\(name)"] : []
        case .number(let text): return ["--\(name)=\(text)"]
        case .string(let text): return ["--\(name)=\(text)"]
        case .array(let items):
            guard let texts = items.strings else { throw StepRequestError("`\(key)` must be a list of strings") }
            return texts.map { "--\(name)=\($0)" }
        case .object:
            throw StepRequestError("`\(key)` must be a string, a number, a boolean or a list of strings")
        }
    }

    static func kebab(_ key: String) -> String {
        var out = ""
        for character in key {
            if character.isUppercase { out += "-" + character.lowercased() } else { out.append(character) }
        }
        return out
    }

    /// Refuses `--config`, `-c`, `--env` … anywhere an option may stand (not after `--`).
    static func checkForbidden(_ arguments: [String]) throws {
        for word in arguments {
            if word == "--" { return }
            guard word.hasPrefix("-") else { continue }
            let name = word.drop { $0 == "-" }.prefix { $0 != "=" }
            if forbidden.contains(String(name)) { throw forbiddenError(String(name)) }
        }
    }

    static func forbiddenError(_ name: String) -> StepRequestError {
        if name == "database-url" {
            return StepRequestError("--database-url is not taken by the daemon: give it the URL in its environment as DATABASE_URL_<ENV> (e.g. DATABASE_URL_STAGING) or DATABASE_URL")
        }
        return StepRequestError("--\(name) is the daemon's to set: the environment is in the path, the config is the daemon's (or `config`, an absolute path it can read), and the state store is that config's")
    }

    private static func string(_ object: [String: JSONValue], _ key: String) throws -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let text) = value, !text.isEmpty else { throw StepRequestError("`\(key)` must be a non-empty string") }
        return text
    }
}

/// JSON as it was written: a boolean stays a boolean (`true` is a flag) and a number keeps its text.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(String), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .number(String(value)) }
        else if let value = try? container.decode(Double.self) { self = .number(String(value)) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }
}

extension [JSONValue] {
    /// The items as strings (numbers by their text), or nil if any is something else.
    var strings: [String]? {
        var out: [String] = []
        for item in self {
            switch item {
            case .string(let text), .number(let text): out.append(text)
            default: return nil
            }
        }
        return out
    }
}

/// A body the daemon cannot run: answered 400 `operation.bad-request` with this message.
public struct StepRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
