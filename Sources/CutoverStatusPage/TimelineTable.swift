/// The release timeline, newest first: when, which release, what, who (with a link to the Jenkins
/// build), how long, how it ended.
enum TimelineTable {
    static func render(_ entries: [TimelineEntry], into html: inout HTMLBuilder) {
        html.raw("<h3>Releases</h3>")
        guard !entries.isEmpty else {
            html.raw("<p class=\"muted\">No release has been journaled here yet.</p>")
            return
        }
        html.raw("<table class=\"timeline\"><thead><tr><th>When</th><th>Release</th><th>Step</th><th>By</th><th>Took</th><th>Outcome</th></tr></thead><tbody>")
        for entry in entries {
            html.raw("<tr data-release=\"\(HTMLEscape.text(entry.release))\"><td data-label=\"When\">\(StatusPageHTML.iso(entry.time))</td>")
            html.raw("<td data-label=\"Release\" class=\"release\">")
            html.text(entry.release)
            html.raw("</td><td data-label=\"Step\">")
            html.text(entry.command)
            html.raw("</td><td data-label=\"By\">")
            if let url = entry.buildURL, url.hasPrefix("http://") || url.hasPrefix("https://") {
                html.raw("<a href=\"\(HTMLEscape.text(url))\">")
                html.text(entry.buildNumber.map { "build #\($0)" } ?? "build")
                html.raw("</a>")
                if let user = entry.user { html.text(" (\(user))") }
            } else if let user = entry.user {
                html.text(user)
            } else {
                html.raw("<span class=\"muted\">unknown</span>")
            }
            html.raw("</td><td data-label=\"Took\">\(entry.seconds.map(StatusPageHTML.duration) ?? "–")</td>")
            let style = ["done", "promoted", "rolled-back"].contains(entry.outcome) ? "ok" : entry.outcome == "started" ? "split" : "bad"
            html.raw("<td data-label=\"Outcome\"><span class=\"badge \(style)\">")
            html.text(entry.outcome)
            html.raw("</span>")
            if let detail = entry.detail {
                html.raw(" <span class=\"detail\">")
                html.text(detail)
                html.raw("</span>")
            }
            html.raw("</td></tr>")
        }
        html.raw("</tbody></table>")
    }
}
