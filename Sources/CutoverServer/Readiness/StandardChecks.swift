import CutoverHTTP
import CutoverJenkins
import CutoverState
import Foundation

extension ClosureCheck {
    /// Jenkins answers an authenticated read of its root folder (wrong credentials count as down:
    /// registration would fail the same way).
    public static func jenkins(_ jenkins: any JenkinsAPI) -> ClosureCheck {
        ClosureCheck("jenkins") { _ = try await jenkins.children(of: ItemPath([])) }
    }

    /// The state store answers a read of one key (absent is fine: the store was reached).
    public static func stateStore(_ name: String, _ store: any StateStore) -> ClosureCheck {
        ClosureCheck(name) { _ = try await store.read("readyz-probe") }
    }

    /// Something answers HTTP at `url`, whatever the status: AWS endpoints answer an unsigned GET with
    /// an error document, which proves the network path and DNS without needing permissions.
    public static func reachable(_ name: String, _ url: URL, transport: any HTTPTransport) -> ClosureCheck {
        ClosureCheck(name) { _ = try await transport.send(HTTPRequest(method: "GET", url: url), timeout: .seconds(3)) }
    }
}

extension ClosureCheck {
    /// The config was loaded and is valid now: some config is registered and the latest one read has
    /// no problems (an invalid edit makes the sidecar unready until it is fixed, though it keeps serving).
    public static func config(_ reconciler: Reconciler) -> ClosureCheck {
        ClosureCheck("config") {
            let status = await reconciler.currentStatus()
            if let first = status.diagnostics.first {
                throw ReadinessFailure("\(status.diagnostics.count) problem(s) in the config, the first at \(first.location): \(first.message)")
            }
            if await reconciler.applied() == nil {
                throw ReadinessFailure(status.lastRun?.error?.message ?? "no config registered yet")
            }
        }
    }
}

/// A readiness check's own failure message.
public struct ReadinessFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
