import CutoverCore
import Foundation

/// Runs a program found on PATH: to completion (`run`), or streaming its output line by line (`stream`).
/// Every child is known to `ChildProcessGroups` while it runs, so a signal to cutover reaches it.
/// A child gets only the environment it needs (`inherited`), never cutover's secrets.
public enum ProcessRunner {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static func executable(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func process(_ name: String, _ arguments: [String], environment: [String: String]) throws -> Process {
        guard let path = executable(name) else {
            throw StepError(code: "deploy.missing-tool", message: "\(name) is not on PATH\nhint: install Ansible (Debian: apt-get install ansible-core; or pip install ansible-core)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = inherited(ProcessInfo.processInfo.environment)
        for (key, value) in environment { env[key] = value }
        process.environment = env
        return process
    }

    /// The variables of cutover's environment a child (Ansible, and through it ssh) may see: where
    /// programs and home are, the locale, the temporary directory, Ansible's own settings and the ssh
    /// agent. Everything else stays behind: a playbook or an inventory script runs code that need not
    /// be ours, and cutover's environment holds AWS keys, Jenkins tokens and DATABASE_URL.
    static func inherited(_ environment: [String: String]) -> [String: String] {
        let names: Set<String> = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM",
                                  "SSH_AUTH_SOCK", "SSH_AGENT_PID", "PYTHONPATH", "VIRTUAL_ENV"]
        return environment.filter { key, _ in names.contains(key) || key.hasPrefix("LC_") || key.hasPrefix("ANSIBLE_") }
    }

    /// Runs the program to completion and returns its output. The wait happens on a thread of its own,
    /// never on the concurrency pool (two threads on two cores): several units discover hosts at once.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let process = try process(name, arguments, environment: environment)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        ChildProcessGroups.insert(process.processIdentifier)
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                // Both pipes drained at once, so a chatty stderr never blocks the child.
                nonisolated(unsafe) var errData = Data()
                let done = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    errData = err.fileHandleForReading.readDataToEndOfFile()
                    done.signal()
                }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                done.wait()
                process.waitUntilExit()
                ChildProcessGroups.remove(process.processIdentifier)
                continuation.resume(returning: Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                                                      stderr: String(decoding: errData, as: UTF8.self)))
            }
        }
    }

    /// Runs the program with stdout and stderr merged, handing each line to `line` as it arrives, and
    /// returns the exit status. The wait happens on a thread, not in the async caller.
    public static func stream(_ name: String, _ arguments: [String], environment: [String: String],
                              line: @escaping @Sendable (String) -> Void) async throws -> Int32 {
        let process = try process(name, arguments, environment: environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        ChildProcessGroups.insert(process.processIdentifier)
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                pipe.fileHandleForReading.forEachLine(line)
                process.waitUntilExit()
                ChildProcessGroups.remove(process.processIdentifier)
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }
}
