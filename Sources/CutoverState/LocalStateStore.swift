import Crypto
import CutoverCore
import Foundation

/// The state store in a local directory: one file per key, the version a SHA-256 of the content.
///
/// Conditional writes are made atomic with an exclusive `flock` on `<directory>/.lock` held across
/// read-compare-write (also across processes: every writer takes it), and a write is a temporary file,
/// fsync, rename, so a reader (which takes no lock) sees the old bytes or the new ones, never half. The
/// kernel drops the flock when a process dies, so a `kill -9` never wedges the store.
///
/// Versions are content digests, like S3's ETags for single-part uploads: writing back the same bytes
/// gives the same version. Lock documents carry a unique id and expiry, so this never hides a change.
public struct LocalStateStore: StateStore {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory.standardizedFileURL
    }

    public var location: String { directory.path }

    public func read(_ key: String) async throws -> StoredObject? {
        try StateKey.check(key, in: location)
        return try readFile(key)
    }

    public func write(_ key: String, _ data: Data, condition: WriteCondition) async throws -> String {
        try StateKey.check(key, in: location)
        return try locked("write \(key)") {
            let current = try readFile(key)
            switch (condition, current) {
            case (.absent, nil): break
            case (.version(let expected), let current?) where current.version == expected: break
            case (.absent, _): throw StateConflict(key: key, location: location, expected: "absent")
            case (.version(let expected), _): throw StateConflict(key: key, location: location, expected: "at version \(expected)")
            }
            try replace(key, with: data)
            return Self.version(of: data)
        }
    }

    public func delete(_ key: String, ifVersion version: String?) async throws {
        try StateKey.check(key, in: location)
        try locked("delete \(key)") {
            guard let current = try readFile(key) else { return }
            if let version, current.version != version {
                throw StateConflict(key: key, location: location, expected: "at version \(version)")
            }
            guard unlink(url(key).path) == 0 || errno == ENOENT else { throw failure("delete \(key)", errno) }
        }
    }

    public func list(prefix: String) async throws -> [String] {
        try StateKey.checkPrefix(prefix, in: location)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        // Relative paths as the walk finds them, so a symlinked directory (macOS /tmp) cannot skew them.
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else {
            throw StateStoreError(location: location, operation: "list \(prefix)", underlying: "the directory cannot be read", hint: Self.hint)
        }
        var keys: [String] = []
        while let path = walker.nextObject() as? String {
            if path.split(separator: "/").last?.hasPrefix(".") == true {
                walker.skipDescendants()  // the store's lock, temporaries, and nothing of ours
                continue
            }
            if walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular, path.hasPrefix(prefix) { keys.append(path) }
        }
        return keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Lowercase hex SHA-256 of `data`.
    static func version(of data: Data) -> String {
        SHA256.hash(data: data).lowercaseHex
    }

    static let hint = "check that the state directory exists and this user may write it (or set CUTOVER_STATE)"

    private func url(_ key: String) -> URL { directory.appendingPathComponent(key) }

    private func readFile(_ key: String) throws -> StoredObject? {
        let fd = open(url(key).path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("read \(key)", errno)
        }
        defer { close(fd) }
        do {
            let data = try FileHandle(fileDescriptor: fd, closeOnDealloc: false).readToEnd() ?? Data()
            return StoredObject(data: data, version: Self.version(of: data))
        } catch {
            throw StateStoreError(location: location, operation: "read \(key)", underlying: "\(error.localizedDescription)", hint: Self.hint)
        }
    }

    /// Temporary file beside the target, fsync, rename, fsync the directory: all or nothing, and durable.
    private func replace(_ key: String, with data: Data) throws {
        let target = url(key)
        let folder = target.deletingLastPathComponent()
        try createDirectory(folder, for: "write \(key)")
        let temporary = folder.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw failure("write \(key)", errno) }
        let written = writeBytes(fd, data)
        let synced = fsync(fd) == 0
        let code = errno
        close(fd)
        guard written == data.count, synced, rename(temporary.path, target.path) == 0 else {
            let error = failure("write \(key)", written == data.count && synced ? errno : code)
            unlink(temporary.path)
            throw error
        }
        let folderFD = open(folder.path, O_RDONLY)
        if folderFD >= 0 { fsync(folderFD); close(folderFD) }
    }

    /// Runs `body` holding the store's exclusive flock. `body` never suspends, so a holder in this
    /// process always finishes while another thread waits.
    private func locked<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        try createDirectory(directory, for: operation)
        let fd = open(directory.appendingPathComponent(".lock").path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw failure(operation, errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure(operation, errno) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private func createDirectory(_ folder: URL, for operation: String) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StateStoreError(location: location, operation: operation, underlying: "cannot create \(folder.path): \(error.localizedDescription)", hint: Self.hint)
        }
    }

    private func failure(_ operation: String, _ code: Int32) -> StateStoreError {
        StateStoreError(location: location, operation: operation, underlying: String(cString: strerror(code)), hint: Self.hint)
    }
}

/// `write(2)` of all of `data` (at file scope, where `write` is the system call, not the store's method).
private func writeBytes(_ fd: Int32, _ data: Data) -> Int {
    data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
