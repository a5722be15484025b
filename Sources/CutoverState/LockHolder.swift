import Foundation

/// Who holds a lock, as the lock document in the store says: enough for a refusal to tell people
/// whom to wait for, and for a takeover to know the holder's lease ran out or its process is gone.
/// Never holds a secret: it is readable by everyone who may read the state.
public struct LockHolder: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A random UUID of this acquisition: only this holder ever writes a document with it.
    public var id: String
    /// The cutover subcommand (`promote`).
    public var command: String
    public var release: String?
    public var host: String
    public var pid: Int32
    public var user: String?
    /// `$BUILD_URL` when running in Jenkins.
    public var build: String?
    public var started: Date
    /// The holder renews this while it runs; past it, anyone may take the lock over.
    public var expires: Date

    public init(id: String, command: String, release: String?, host: String, pid: Int32, user: String?, build: String?,
                started: Date, expires: Date) {
        self.id = id
        self.command = command
        self.release = release
        self.host = host
        self.pid = pid
        self.user = user
        self.build = build
        self.started = started
        self.expires = expires
    }

    /// A new holder for this process.
    static func current(command: String, release: String?, started: Date, expires: Date) -> LockHolder {
        let environment = ProcessInfo.processInfo.environment
        func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return LockHolder(id: UUID().uuidString.lowercased(), command: command, release: release, host: Self.thisHost,
                          pid: getpid(), user: nonEmpty("USER") ?? nonEmpty("LOGNAME"), build: nonEmpty("BUILD_URL"),
                          started: started, expires: expires)
    }

    /// `cutover promote --release r2 (pid 123 on host-a, user jenkins, since 2026-01-02T03:04:05Z, lease until …, build https://…)`.
    public var description: String {
        var text = "cutover \(command)"
        if let release { text += " --release \(release)" }
        text += " (pid \(pid) on \(host)"
        if let user { text += ", user \(user)" }
        text += ", since \(Self.show(started)), lease until \(Self.show(expires))"
        if let build { text += ", build \(build)" }
        return text + ")"
    }

    /// Whether this holder is a process on this machine that no longer exists, so its lock can go at
    /// once instead of after its lease. `kill(pid, 0)` answering ESRCH means no such process. A reused
    /// pid only makes us wait for the lease (the safe side). Caveat: containers that share a host name
    /// but not a pid namespace would look dead to each other; give agents distinct host names.
    var isDeadProcessOnThisHost: Bool {
        host == Self.thisHost && pid > 0 && kill(pid, 0) != 0 && errno == ESRCH
    }

    static let thisHost: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    func encoded() throws -> Data { try Self.encoder.encode(self) }

    static func decode(_ data: Data) throws -> LockHolder { try decoder.decode(LockHolder.self, from: data) }

    private static func show(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    // Milliseconds in the document, so short test leases survive a round trip.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(.iso8601.year().month().day().dateSeparator(.dash)
                .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)))
        }
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash)
                .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)) {
                return date
            }
            return try Date(text, strategy: .iso8601)
        }
        return decoder
    }()
}
