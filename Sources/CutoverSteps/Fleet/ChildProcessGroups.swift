import Foundation
import Synchronization

/// The programs cutover is running (ansible-playbook and everything it forks), by process group.
///
/// Foundation starts every child as the leader of a process group of its own, so Ctrl-C in a terminal
/// (SIGINT to the foreground group) or Jenkins aborting a step (SIGTERM) reaches cutover alone, and a
/// playbook would run on, unattended, after the step that started it is gone. `forwardSignals()` makes
/// cutover pass those signals on to every group it started, wait a grace period for them to end, kill
/// what is left, and exit 128 + the signal number.
public enum ChildProcessGroups {
    private static let groups = Mutex<Set<pid_t>>([])
    private static let installed = Mutex<[any DispatchSourceSignal]>([])
    private static let stopping = Mutex<Bool>(false)
    private static let exitHooks = Mutex<[@Sendable () -> Void]>([])

    /// Runs `hook` just before a signal's exit (e.g. releasing the environment lock, so another agent
    /// need not wait for its lease to run out).
    public static func beforeExit(_ hook: @escaping @Sendable () -> Void) {
        exitHooks.withLock { $0.append(hook) }
    }

    private static func exitNow(_ status: Int32) -> Never {
        for hook in exitHooks.withLock({ $0 }) { hook() }
        exit(status)
    }

    static func insert(_ leader: pid_t) { _ = groups.withLock { $0.insert(leader) } }
    static func remove(_ leader: pid_t) { _ = groups.withLock { $0.remove(leader) } }

    /// Groups with at least one process left (a leader that exited may leave its forks behind).
    static func alive() -> [pid_t] {
        groups.withLock { Array($0) }.filter { kill(-$0, 0) == 0 }
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP. A second signal during the grace period kills
    /// the groups at once. `log` says what is happening (stderr, which Jenkins shows in the console).
    public static func forwardSignals(grace: Duration = .seconds(10), log: @escaping @Sendable (String) -> Void) {
        installed.withLock { sources in
            guard sources.isEmpty else { return }
            for number in [SIGINT, SIGTERM, SIGHUP] {
                // The default action would end cutover before the handler runs.
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { received(number, grace: grace, log: log) }
                source.resume()
                sources.append(source)
            }
        }
    }

    private static func received(_ number: Int32, grace: Duration, log: @escaping @Sendable (String) -> Void) {
        let name = TrafficSignals.name(number)
        let again = stopping.withLock { already in
            defer { already = true }
            return already
        }
        if again {
            let running = alive()
            log("cutover: \(name) again: killing \(running.count) child process group(s) now")
            for group in running { kill(-group, SIGKILL) }
            exitNow(128 + number)
        }
        let running = alive()
        log("cutover: \(name): stopping \(running.count) child process group(s) (up to \(grace.components.seconds) s, then SIGKILL)")
        for group in running { kill(-group, number) }
        Thread.detachNewThread {
            let deadline = ContinuousClock.now + grace
            while !alive().isEmpty, ContinuousClock.now < deadline { usleep(50_000) }
            let left = alive()
            if !left.isEmpty {
                log("cutover: \(left.count) child process group(s) still running after \(grace.components.seconds) s: SIGKILL")
                for group in left { kill(-group, SIGKILL) }
            }
            exitNow(128 + number)
        }
    }

    /// Once a signal has come, its handler owns the exit (128 + N, after the groups are gone): a command
    /// that finishes meanwhile (its playbook died of the signal) must not exit first with its own status.
    public static func waitIfStopping() {
        guard stopping.withLock({ $0 }) else { return }
        while true { sleep(1) }
    }
}
