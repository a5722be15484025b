import CutoverAWS
import Foundation

/// What the `cutover_result` callback wrote about a run (templates/ansible/README.md, "The result file").
public struct AnsibleResult: Sendable, Codable, Equatable {
    public var complete: Bool
    public var hosts: [String: HostResult]

    public struct HostResult: Sendable, Codable, Equatable {
        public var ok: Int
        public var changed: Int
        public var failed: Int
        public var unreachable: Int
        public var skipped: Int
        /// `ok`, `failed`, `unreachable` or `incomplete`.
        public var status: String
        public var failure: Failure?
    }

    public struct Failure: Sendable, Codable, Equatable {
        public var task: String?
        public var message: String?
        public var kind: String?
    }

    public static func read(_ url: URL) -> AnsibleResult? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? JSONDecoder().decode(AnsibleResult.self, from: data)
    }

    /// Hosts that failed or could not be reached, each with the task and message that stopped it.
    public var problems: [String] {
        hosts.keys.sorted().compactMap { name in
            let host = hosts[name]!
            guard host.status != "ok" else { return nil }
            let task = host.failure?.task.map { " at \"\($0)\"" } ?? ""
            let message = host.failure?.message.map { ": \($0)" } ?? ""
            return "\(name) \(host.status)\(task)\(message)"
        }
    }
}
