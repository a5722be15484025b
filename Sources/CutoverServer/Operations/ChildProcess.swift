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
    private let status: Mutex<Int32?> = Mutex(nil)
    private let exited = DispatchSemaphore(value: 0)

    private init(process: Process, lines: AsyncStream<Line>) {
        self.process = process
        self.lines = lines
    }

    static func start(_ executable: String, _ arguments: [String], environment: [String: String], directory: String?) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let (lines, continuation) = AsyncStream.makeStream(of: Line.self, bufferingPolicy: .unbounded)
        let child = ChildProcess(process: process, lines: lines)
        try process.run()
        let open = Mutex(2)
        for (pipe, stream) in [(out, Stream.stdout), (err, Stream.stderr)] {
            Thread.detachNewThread {
                readLines(pipe.fileHandleForReading) { continuation.yield(Line(stream: stream, text: $0)) }
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

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    private static func readLines(_ handle: FileHandle, _ line: (String) -> Void) {
        var buffer = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                line(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        }
        if !buffer.isEmpty { line(String(decoding: buffer, as: UTF8.self)) }
    }
}
