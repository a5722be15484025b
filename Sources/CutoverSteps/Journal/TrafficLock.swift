import Foundation

/// Keeps promote and rollback of one system and environment from running at once on this machine: an
/// exclusive `flock` on `<dir>/<system>/<environment>.lock`, released by the kernel when the process
/// ends however it ends (so a `kill -9` never leaves a stale lock). The file names the holder, which
/// the refusal quotes. The pipelines also take a Jenkins `lock` of the same name across agents.
public final class TrafficLock: Sendable {
    private let fd: Int32
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Takes the lock or throws `StepError` naming who holds it.
    public static func acquire(directory: URL, system: String, environment: String, holder: String) throws -> TrafficLock {
        let folder = directory.appendingPathComponent(system)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(JournalStore.fileName(environment)).lock").path
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw StepError(code: "lock.unavailable", message: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let owner = count > 0 ? String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "another process"
            throw StepError(code: "lock.held", message: "\(system)/\(environment) is locked by \(owner)\nhint: promote and rollback never run at once; wait for it to finish (lock file \(path))", exitStatus: .locked)
        }
        let text = "\(holder) (pid \(getpid()), since \(ISO8601DateFormatter().string(from: Date())))\n"
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return TrafficLock(fd: fd, path: path)
    }
}
