import ArgumentParser
import CutoverCore
import CutoverState
import CutoverSteps
import Foundation

struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove an environment's lock whose holder died on another machine.",
        discussion: """
        A holder that dies stops renewing its lease, and the lock can be taken over once the lease (60 s) \
        has run out; a holder on this machine whose process is gone is taken over at once. Use unlock only \
        when you know the holder is gone and cannot wait, e.g. an agent pod deleted mid-promotion. Without \
        --yes it only prints the holder. After unlocking, run `cutover status`, then promote or roll back \
        to finish what the holder left.
        """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Really remove the lock (without it: print who holds it, change nothing).")
    var yes = false

    func run() async throws {
        try await reporting(json: output.json) {
            let config = try config.load()
            let environment = try UnitSelection.environment(config, named: self.environment.name)
            let store = try aws.stateStore(for: environment)
            let key = EnvironmentLock.key(system: config.name, environment: environment.name)
            let holder: LockHolder?
            if yes {
                holder = try await StateLock.forceRelease(store: store, key: key)
            } else {
                holder = try await StateLock.currentHolder(store: store, key: key)
            }
            let what = holder.map { "\($0)" } ?? "nobody"
            if output.json {
                printJSON(["ok": true, "location": store.location, "key": key, "holder": what, "removed": yes && holder != nil])
            } else if yes {
                print(holder == nil ? "\(config.name)/\(environment.name): not locked (\(store.location))" : "removed the lock of \(config.name)/\(environment.name) held by \(what)")
            } else {
                print("\(config.name)/\(environment.name) is locked by \(what) (\(store.location)/\(key))\(holder == nil ? "" : "\nrerun with --yes to remove it")")
            }
        }
    }
}
