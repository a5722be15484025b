import CutoverCore
import Foundation
import Synchronization

/// SIGINT (Ctrl-C), SIGTERM (what Jenkins sends when a build is aborted) and SIGHUP during a traffic
/// command. The default action would end cutover between two weight changes and leave every group
/// split, so instead:
/// - `.revert` (promote): the first signal cancels the command, which stops stepping and reverts every
///   group it moved, verified; then the command exits 128 + N.
/// - `.finish` (rollback): the first signal is noted; the restore runs to its end; then 128 + N.
/// A second signal prints what is still being put back; a third abandons it, names the groups left as
/// they are, and exits 8 ("traffic is split: act now"). Nothing is ever abandoned silently.
public final class TrafficSignals: Sendable {
    public enum Mode: Sendable { case revert, finish }

    private struct State {
        var received: Int32?
        var count = 0
        var cancel: (@Sendable () -> Void)?
        var pending: (@Sendable () async -> [String])?
    }

    private let mode: Mode
    private let command: String
    private let log: @Sendable (String) -> Void
    private let state = Mutex(State())
    private let sources = Mutex<[any DispatchSourceSignal]>([])

    public init(mode: Mode, command: String, log: @escaping @Sendable (String) -> Void) {
        self.mode = mode
        self.command = command
        self.log = log
    }

    /// Takes over SIGINT, SIGTERM and SIGHUP for the rest of the process.
    public func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for number in [SIGINT, SIGTERM, SIGHUP] {
                signal(number, SIG_IGN)  // the default action would end cutover before the handler runs
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [self] in received(number) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// The first signal's number, once one has arrived.
    public var received: Int32? { state.withLock { $0.received } }

    /// The exit status a command that was signalled ends with: 128 + N.
    public var exitStatus: Int32? { received.map { 128 + $0 } }

    /// Runs `body` in a task this handler can cancel (`.revert`) or lets finish (`.finish`).
    public func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let cancelNow = state.withLock { state -> Bool in
            state.cancel = { task.cancel() }
            return state.received != nil
        }
        if cancelNow, mode == .revert { task.cancel() }
        return try await task.value
    }

    /// What is still in flight (routes being put back), for the second signal's report.
    public func watch(_ pending: @escaping @Sendable () async -> [String]) {
        state.withLock { $0.pending = pending }
    }

    /// Simulates a signal's arrival: the handlers and the tests share this path.
    public func received(_ number: Int32) {
        let (count, cancel, pending) = state.withLock { state in
            state.count += 1
            if state.received == nil { state.received = number }
            return (state.count, state.cancel, state.pending)
        }
        let name = Self.name(number)
        switch count {
        case 1 where mode == .revert:
            log("cutover: \(name): stopping \(command); every group it moved is put back and checked (a second signal shows what is left)")
            cancel?()
        case 1:
            log("cutover: \(name): \(command) finishes restoring the groups it started, then exits \(128 + number) (a second signal shows what is left)")
        case 2:
            Task {
                let left = await pending?() ?? []
                log("cutover: \(name) again: \(left.isEmpty ? "nothing left in flight; finishing" : "still in flight: \(left.joined(separator: "; "))"); a third signal abandons this and leaves those groups as they are")
            }
        default:
            Task {
                let left = await pending?() ?? []
                log("cutover: \(name) a third time: abandoning. Traffic may be split: act now. Left as they are: \(left.isEmpty ? "none known" : left.joined(separator: "; "))")
                exit(ExitStatus.split.rawValue)
            }
        }
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
