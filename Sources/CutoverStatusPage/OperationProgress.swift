import Foundation

/// Where a running promote or rollback is, read from the console lines it prints (the same lines the
/// CLI writes to the Jenkins console): `promote: step 2 of 3: 2 groups to 50%` and
/// `promote: baking at 50%, 20s left; healthy: web 4/4`. Reading the lines keeps the page free of any
/// hook into the steps: what a person sees in the console is what the page shows.
public struct OperationProgress: Sendable, Codable, Equatable {
    /// `2 of 3: 2 groups to 50%`
    public var step: String?
    public var bakePercent: Int?
    public var bakeSecondsLeft: Int?
    /// The newest line, whatever it says.
    public var lastLine: String?

    public init(step: String? = nil, bakePercent: Int? = nil, bakeSecondsLeft: Int? = nil, lastLine: String? = nil) {
        self.step = step
        self.bakePercent = bakePercent
        self.bakeSecondsLeft = bakeSecondsLeft
        self.lastLine = lastLine
    }

    /// The progress the lines (oldest first) show. A bake line counts only after the latest step line.
    public static func parse(_ lines: [String]) -> OperationProgress {
        parse(lines.map { (Date.distantPast, $0) }, now: nil)
    }

    /// As `parse(_:)`, with the time each line was written: a bake line is printed every 10 s, so the
    /// time left counts down from the newest one to `now` (never below 0) instead of standing still.
    public static func parse(_ lines: [(time: Date, text: String)], now: Date?) -> OperationProgress {
        var progress = OperationProgress(lastLine: lines.last?.text)
        for (time, line) in lines {
            if let range = line.range(of: ": step ") {
                progress.step = String(line[range.upperBound...])
                progress.bakePercent = nil
                progress.bakeSecondsLeft = nil
            } else if let range = line.range(of: ": baking at ") {
                let rest = line[range.upperBound...]
                let percent = rest.prefix { $0.isNumber }
                var left: Int?
                if let comma = rest.range(of: ", ") {
                    left = Int(rest[comma.upperBound...].prefix { $0.isNumber })
                }
                if let reported = left, let now, time != .distantPast {
                    left = max(0, reported - Int(now.timeIntervalSince(time).rounded(.down)))
                }
                progress.bakePercent = Int(percent)
                progress.bakeSecondsLeft = left
            }
        }
        return progress
    }
}
