import Foundation
import Synchronization

/// What the daemon hands a waiting step process: the step's command line, its whole environment and
/// its working directory. One JSON line on the process's stdin, never in its arguments: the
/// environment holds the daemon's credentials.
public struct StepWorkerRequest: Codable, Sendable, Equatable {
    public var arguments: [String]
    public var environment: [String: String]
    public var directory: String?

    public init(arguments: [String], environment: [String: String], directory: String?) {
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
    }

    /// The argument that starts a waiting step process (`cutover step-worker`).
    public static let command = "step-worker"
}

/// One step process started ahead of need, waiting on its stdin (`cutover step-worker`), so an
/// operation does not wait for a process start: loading and starting the 190 MB binary is about 9 ms,
/// a tenth of a short promotion. The process is used once: it reads one request, becomes
/// `cutover <step> …` with that environment and directory, and ends with the step's exit code. The step
/// therefore still runs in a process of its own, with its own signals, lock and exit code, as a child
/// started for it would.
///
/// The next spare is started when the taken one has ended (a pipeline's steps run one after another,
/// and starting it beside a running step would take a core from it); an operation that finds no spare
/// (two at once, or a spare that died) starts its child the usual way. A spare sees end of file and exits
/// when the daemon stops or dies.
public final class WarmStepProcess: Sendable {
    let executable: String
    /// `step-worker` and its options.
    let arguments: [String]
    /// The spare's own environment: the daemon's less its secrets. A request replaces it whole.
    let environment: [String: String]
    private let state = Mutex<(spare: ChildProcess?, stopped: Bool)>((nil, false))

    public init(executable: String, arguments: [String] = [StepWorkerRequest.command], environment: [String: String]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        refill()
    }

    /// The spare, handed `request`; nil when there is none or it cannot take the request (the caller
    /// then starts a child itself).
    func take(_ request: StepWorkerRequest) -> ChildProcess? {
        guard let child = state.withLock({ state -> ChildProcess? in
            defer { state.spare = nil }
            return state.spare
        }) else { return nil }
        guard let line = try? JSONEncoder().encode(request), child.send(line + Data("\n".utf8)) else {
            child.signal(SIGKILL)
            return nil
        }
        return child
    }

    /// Starts a spare if there is none, on a thread of its own (a process start blocks).
    func refill() {
        Thread.detachNewThread { [self] in
            guard state.withLock({ !$0.stopped && $0.spare == nil }) else { return }
            guard let child = try? ChildProcess.start(executable, arguments, environment: environment,
                                                      directory: nil, input: true) else { return }
            let kept = state.withLock { state -> Bool in
                guard !state.stopped && state.spare == nil else { return false }
                state.spare = child
                return true
            }
            if !kept { child.closeInput() }
        }
    }

    /// No more spares; the waiting one exits.
    public func stop() {
        let spare = state.withLock { state -> ChildProcess? in
            state.stopped = true
            defer { state.spare = nil }
            return state.spare
        }
        spare?.closeInput()
    }
}
