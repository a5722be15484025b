import CutoverCore
import Foundation
import Synchronization

/// A running step process: its stdout and stderr as lines, in the order they arrive, its exit status,
/// and a way to signal it. The pipes are read and the exit awaited on threads of their own, never on
/// the concurrency pool (two cores: a blocked pool thread would stall every request).
final class ChildProcess: Sendable {
    enum Stream: Sendable { case stdout, stderr }

    struct Line: Sendable {
        var stream: Stream
        var text: String
    }

    let lines: AsyncStream<Line>
    private let process: Process
    /// The write end of the child's stdin when it was started to wait for a request (`WarmStepProcess`).
    private let input: FileHandle?
    private let status: Mutex<Int32?> = Mutex(nil)
    private let exited = DispatchSemaphore(value: 0)

    private init(process: Process, lines: AsyncStream<Line>, input: FileHandle?) {
        self.process = process
        self.lines = lines
        self.input = input
    }

    /// Starts the process. With `input`, its stdin is a pipe the daemon writes once (`send`); without,
    /// it reads /dev/null.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String], directory: String?,
                      input: Bool = false) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = input ? Pipe() : nil
        process.standardInput = stdin ?? FileHandle.nullDevice
        let (lines, continuation) = AsyncStream.makeStream(of: Line.self, bufferingPolicy: .unbounded)
        let child = ChildProcess(process: process, lines: lines, input: stdin?.fileHandleForWriting)
        try process.run()
        // The daemon keeps only the write end: the child sees end of file when it is closed or the daemon dies.
        try? stdin?.fileHandleForReading.close()
        let open = Mutex(2)
        for (pipe, stream) in [(out, Stream.stdout), (err, Stream.stderr)] {
            Thread.detachNewThread {
                pipe.fileHandleForReading.forEachLine { continuation.yield(Line(stream: stream, text: $0)) }
                let left = open.withLock { count in
                    count -= 1
                    return count
                }
                if left == 0 {
                    process.waitUntilExit()
                    let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
                    child.status.withLock { $0 = code }
                    child.exited.signal()
                    continuation.finish()
                }
            }
        }
        return child
    }

    /// The exit status, 128+N for a signal; waits (on a thread) until the process has ended.
    func exitStatus() async -> Int32 {
        if let code = status.withLock({ $0 }) { return code }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                self.exited.wait()
                self.exited.signal()
                continuation.resume(returning: self.status.withLock { $0 } ?? 1)
            }
        }
    }

    var isRunning: Bool { process.isRunning }

    /// Writes `data` to the child's stdin and closes it; false when the child is gone (or has no pipe).
    func send(_ data: Data) -> Bool {
        guard let input, process.isRunning else { return false }
        defer { try? input.close() }
        // A child that died since the check would make write(2) raise SIGPIPE, whose default action ends
        // the daemon: block it on this thread for the write, and take a pending one back after EPIPE.
        var pipeSignal = sigset_t(), previous = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var written = 0
        let ok = data.withUnsafeBytes { bytes -> Bool in
            while written < bytes.count {
                let n = write(input.fileDescriptor, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                written += n
            }
            return true
        }
        if !ok {
            var none = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeSignal, nil, &none)
        }
        return ok
    }

    /// Closes the child's stdin without a request: a waiting step process then exits.
    func closeInput() {
        try? input?.close()
    }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }
}
