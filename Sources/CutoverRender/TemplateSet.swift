import CutoverCore
import Foundation

/// The Mustache templates a render uses: the defaults built into the binary, with any file of the same
/// name from a user's `--templates` directory taking its place.
public struct TemplateSet: Sendable {
    /// Template text keyed by path under the templates directory, without `.mustache`.
    public private(set) var sources: [String: String]
    /// Names that came from the override directory, for `render --verbose` and errors.
    public private(set) var overridden: [String] = []

    /// The built-in templates only.
    public init() {
        sources = Self.embedded
    }

    /// The built-in templates, overridden by every `*.mustache` file under `directory`.
    public init(overrides directory: String) throws {
        sources = Self.embedded
        let root = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RenderError.templates("\(directory) is not a directory (pass --templates DIR with the templates to override)")
        }
        let files = try Self.mustacheFiles(under: root)
        for file in files {
            let name = String(file.dropLast(".mustache".count))
            guard let text = try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8) else {
                throw RenderError.templates("\(directory)/\(file) cannot be read as UTF-8 text")
            }
            if sources[name] == nil {
                throw RenderError.templates("\(directory)/\(file) does not override a known template; known: \(Self.embedded.keys.sorted().joined(separator: ", "))")
            }
            sources[name] = text
            overridden.append(name)
        }
        overridden.sort()
    }

    static func mustacheFiles(under root: URL) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".mustache") }.sorted()
    }
}

/// Rendering could not happen: a template is missing or broken.
public enum RenderError: CutoverError {
    case templates(String)
    case template(name: String, reason: String)

    public var code: String { "render.template" }
    public var exitStatus: ExitStatus { .failure }

    public var description: String {
        switch self {
        case .templates(let reason): "templates: \(reason)"
        case .template(let name, let reason): "template \(name).mustache: \(reason)"
        }
    }
}
