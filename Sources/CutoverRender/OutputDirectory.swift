import CutoverCore
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How one rendered file relates to what is on disk.
public struct FileChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Rendered, not on disk.
        case missing
        /// On disk with other content.
        case changed
        /// On disk as a rendered file name, but no longer rendered (environment or pipeline removed).
        case extra
        case unchanged
    }

    public var path: String
    public var kind: Kind
    public var old: String?
    public var new: String?
}

/// The render output directory. cutover owns the environment folders and `library/` in it: files it no
/// longer renders are removed, but only files with the names and shapes it writes (Jenkinsfile,
/// config.xml, the library's vars, resources and README), so nothing a person put there by hand is touched.
public struct OutputDirectory: Sendable {
    public var path: String
    /// The directory is a library's root (`cutover library --out`): only the library's shapes are
    /// cutover's, at the top level.
    public var libraryOnly: Bool

    public init(path: String, libraryOnly: Bool = false) {
        self.path = path
        self.libraryOnly = libraryOnly
    }

    static let managedNames: Set<String> = ["Jenkinsfile", "config.xml", AgentPod.fileName]

    /// Compares `files` with the directory. `environments` limits which environment folders are scanned
    /// for stale files; nil (every environment rendered) scans every folder, so a removed environment's
    /// files are found too.
    public func compare(_ files: [RenderedFile], environments: [String]?) throws -> [FileChange] {
        let rendered = Set(files.map(\.path))
        // Read and compared on all cores: a render that changes nothing is mostly reading megabytes back.
        var changes = files.concurrentMap { file -> FileChange in
            let existing = try? String(contentsOfFile: "\(path)/\(file.path)", encoding: .utf8)
            let kind: FileChange.Kind = existing == nil ? .missing : existing == file.contents ? .unchanged : .changed
            return FileChange(path: file.path, kind: kind, old: existing, new: file.contents)
        }
        for stale in existingManagedFiles(environments: environments).filter({ !rendered.contains($0) }) {
            changes.append(FileChange(path: stale, kind: .extra, old: try? String(contentsOfFile: "\(path)/\(stale)", encoding: .utf8), new: nil))
        }
        return changes
    }

    /// Writes created and changed files, removes extra ones (and folders left empty). Files are written
    /// on all cores: a large render writes megabytes.
    public func apply(_ changes: [FileChange]) throws {
        let fm = FileManager.default
        let writes = changes.filter { $0.kind == .missing || $0.kind == .changed }
        for folder in Set(writes.map { ("\(path)/\($0.path)" as NSString).deletingLastPathComponent }).sorted() {
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw OutputError(path: folder, reason: "\(error.localizedDescription)")
            }
        }
        let failures = Mutex<[OutputError]>([])
        DispatchQueue.concurrentPerform(iterations: writes.count) { index in
            let target = "\(path)/\(writes[index].path)"
            do {
                if writes[index].kind == .missing {
                    try Self.create(target, with: writes[index].new!)
                } else {
                    try Self.replace(target, with: writes[index].new!)
                }
            } catch {
                failures.withLock { $0.append(OutputError(path: target, reason: "\(error.localizedDescription)")) }
            }
        }
        if let failure = failures.withLock({ $0.min { $0.path < $1.path } }) { throw failure }
        for change in changes where change.kind == .extra {
            let target = "\(path)/\(change.path)"
            try? fm.removeItem(atPath: target)
            var folder = (target as NSString).deletingLastPathComponent
            while folder.hasPrefix(path + "/"), (try? fm.contentsOfDirectory(atPath: folder))?.isEmpty == true {
                try? fm.removeItem(atPath: folder)
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
    }

    /// Writes a temporary file beside `path` and renames it over: a reader (or a killed render) sees the
    /// old file or the new one, never half of one. No fsync: the files are regenerated from the config,
    /// and Foundation's atomic write syncs each file, which dominated rendering large configs.
    static func replace(_ path: String, with contents: String) throws {
        let temporary = path + ".cutover-tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let code = write(contents, to: descriptor)
        close(descriptor)
        guard code == 0, rename(temporary, path) == 0 else {
            let failure = code == 0 ? errno : code
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
        }
    }

    /// A file that did not exist is written in place: there is no old content a reader could lose, and
    /// a render killed half-way leaves a file the next render sees differ and rewrites. One file
    /// creation instead of a temporary plus a rename: on a fresh output the writes are most of the
    /// render's system time. `O_EXCL`: if the file appeared meanwhile, it is replaced atomically instead.
    static func create(_ path: String, with contents: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 && errno == EEXIST { return try replace(path, with: contents) }
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let code = write(contents, to: descriptor)
        close(descriptor)
        if code != 0 {
            unlink(path)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    /// Writes all of `contents`; 0, or the errno of the failed write.
    private static func write(_ contents: String, to descriptor: Int32) -> Int32 {
        var contents = contents
        return contents.withUTF8 { bytes -> Int32 in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += count
            }
            return 0
        }
    }

    private func existingManagedFiles(environments: [String]?) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var found: [String] = []
        for case let relative as String in enumerator {
            let parts = relative.split(separator: "/").map(String.init)
            let library = libraryOnly ? parts : parts.first == Renderer.libraryFolder ? Array(parts.dropFirst()) : nil
            if let library, Self.isLibraryFile(library), !isDirectory(relative) {
                // Rendered whatever --env says, so always in scope.
                found.append(relative)
                continue
            }
            if libraryOnly { continue }
            guard let name = parts.last, Self.managedNames.contains(name), parts.count >= 2 else { continue }
            // Only env/{config.xml,agent-pod.yaml} and env/pipeline/{Jenkinsfile,config.xml}: the shapes render writes.
            guard parts.count <= 3, name != AgentPod.fileName || parts.count == 2 else { continue }
            if let environments, !environments.contains(parts[0]) { continue }
            found.append(relative)
        }
        return found.sorted()
    }

    /// The shapes of the shared library's files (path components under the library's root): what
    /// Jenkins copies from a library, `vars/<step>.{groovy,txt}` and `resources/**`, and the README.
    static func isLibraryFile(_ parts: [String]) -> Bool {
        guard let first = parts.first else { return false }
        if parts.count == 1 { return first == "README.md" }
        if first == "vars" { return parts.count == 2 && (parts[1].hasSuffix(".groovy") || parts[1].hasSuffix(".txt")) }
        return first == "resources"
    }

    private func isDirectory(_ relative: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: "\(path)/\(relative)", isDirectory: &directory) && directory.boolValue
    }
}

public struct OutputError: CutoverError {
    public var path: String
    public var reason: String
    public var code: String { "render.write" }
    public var exitStatus: ExitStatus { .failure }
    public var description: String { "cannot write \(path): \(reason)" }
}
