import Foundation

/// One environment's section of the page: lock and running operations, the groups table, the builds
/// waiting for approval, the release timeline.
enum EnvironmentSection {
    static func render(_ environment: EnvironmentStatus, into html: inout HTMLBuilder) {
        let id = HTMLEscape.text(environment.name)
        html.raw("<section class=\"env\" id=\"env-\(id)\" data-environment=\"\(id)\"><h2>")
        html.text(environment.name)
        html.raw("</h2><p class=\"lock\">Lock: ")
        if let lock = environment.lock { html.element("strong", "held by \(lock)") } else { html.raw("free") }
        html.raw("</p>")
        for problem in environment.problems { html.element("p", problem, attributes: "class=\"problem\"") }
        for operation in environment.operations { renderOperation(operation, into: &html) }
        GroupTable.render(environment.groups, into: &html)
        renderApprovals(environment.approvals, into: &html)
        TimelineTable.render(environment.timeline, into: &html)
        if let seconds = environment.readSeconds {
            html.raw("<p class=\"meta\">AWS and state read in \(String(format: "%.0f", seconds * 1000)) ms</p>")
        }
        html.raw("</section>")
    }

    static func renderOperation(_ operation: OperationStatus, into html: inout HTMLBuilder) {
        html.raw("<div class=\"op\" data-operation=\"\(HTMLEscape.text(operation.id))\"><strong>")
        html.text("\(operation.kind) \(operation.state)")
        html.raw("</strong> since \(StatusPageHTML.iso(operation.startedAt))")
        if let step = operation.progress.step {
            html.raw("<br>Step <span class=\"step\">")
            html.text(step)
            html.raw("</span>")
        }
        if let left = operation.progress.bakeSecondsLeft {
            html.raw("<br>Baking at <span class=\"bake-percent\">\(operation.progress.bakePercent ?? 0)%</span>: ")
            html.raw("<span class=\"bake-left\" data-seconds=\"\(left)\">\(left) s left</span>")
        }
        if let last = operation.progress.lastLine {
            html.raw("<br><code>")
            html.text(last)
            html.raw("</code>")
        }
        html.raw("</div>")
    }

    static func renderApprovals(_ approvals: [Approval], into html: inout HTMLBuilder) {
        html.raw("<h3>Waiting for approval</h3>")
        guard !approvals.isEmpty else {
            html.raw("<p class=\"muted approvals-none\">No build is waiting at an approval gate.</p>")
            return
        }
        html.raw("<ul class=\"approvals\">")
        for approval in approvals {
            html.raw("<li data-approval=\"\(approval.number)\"><a href=\"\(HTMLEscape.text(approval.url))\">")
            html.text("\(approval.job) #\(approval.number)")
            html.raw("</a>: ")
            html.text(approval.message)
            if let since = approval.since { html.raw(" <span class=\"muted\">since \(StatusPageHTML.iso(since))</span>") }
            html.raw(" · <a href=\"\(HTMLEscape.text(approval.inputURL))\">approve or abort in Jenkins</a></li>")
        }
        html.raw("</ul>")
    }
}
