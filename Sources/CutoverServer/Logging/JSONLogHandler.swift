import Foundation
import Logging

/// `--log-format json`: one JSON object per line on stderr (`time`, `level`, `label`, `message`, then
/// the metadata), for log shippers. Writes are serialised so lines from concurrent tasks never interleave.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: @Sendable (Data) -> Void

    public init(label: String, sink: @escaping @Sendable (Data) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: Any] = [:]
        let merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged { object[key] = Self.json(value) }
        object["time"] = Date().formatted(Self.timeStyle)
        object["level"] = event.level.rawValue
        object["label"] = label
        object["message"] = "\(event.message)"
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(UInt8(ascii: "\n"))
        sink(data)
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): "\(value)"
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }

    /// A value type (unlike ISO8601DateFormatter), so one is shared by every line without a lock.
    static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static let lock = NSLock()

    /// Writes to stderr, one line at a time.
    public static let standardError: @Sendable (Data) -> Void = { data in
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(data)
    }
}
