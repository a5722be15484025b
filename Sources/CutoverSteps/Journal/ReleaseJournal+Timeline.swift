import CutoverStatusPage
import Foundation

extension ReleaseJournal {
    /// The journal as timeline rows: one per finished command (paired with its `started` entry for the
    /// duration), one for a command that started and has not ended (running, or killed), one per
    /// override with its reason.
    public var timeline: [TimelineEntry] {
        var rows: [TimelineEntry] = []
        var openStart: [String: Entry] = [:]
        for entry in history {
            switch entry.event {
            case "started":
                openStart[entry.command] = entry
            default:
                let start = entry.event == "override" ? nil : openStart.removeValue(forKey: entry.command)
                let began = entry.startedAt ?? start?.time
                rows.append(TimelineEntry(time: entry.time, release: release, command: entry.command, outcome: entry.event,
                                          detail: entry.detail, user: entry.user ?? start?.user, buildURL: entry.build ?? start?.build,
                                          buildNumber: entry.buildNumber ?? start?.buildNumber,
                                          seconds: began.map { entry.time.timeIntervalSince($0) }))
            }
        }
        for start in openStart.values {
            rows.append(TimelineEntry(time: start.time, release: release, command: start.command, outcome: "started", detail: start.detail,
                                      user: start.user, buildURL: start.build, buildNumber: start.buildNumber))
        }
        return rows
    }
}
