import Foundation

/// The page as one self-contained HTML document: server-rendered, no JavaScript (a `<meta refresh>`
/// reloads it), every value escaped by `HTMLEscape`. Colour is never alone: each bar segment carries
/// its colour's name and percentage as text, green is also hatched, and states are words
/// (SPLIT, UNHEALTHY, OK). One stylesheet serves a laptop and, below 720 px, a phone (tables become
/// stacked cards).
public enum StatusPageHTML {
    public static func render(_ page: StatusPage) -> String {
        var html = HTMLBuilder()
        html.raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        if let refresh = page.refreshSeconds { html.raw("<meta http-equiv=\"refresh\" content=\"\(refresh)\">") }
        html.raw("<title>")
        html.text("cutover · \(page.system)")
        html.raw("</title><style>\(stylesheet)</style></head><body>")
        html.raw("<header><h1>")
        html.text(page.system)
        html.raw("</h1><p class=\"meta\">cutover ")
        html.text(page.version)
        html.raw(" · read at <time datetime=\"\(iso(page.generatedAt))\">\(iso(page.generatedAt))</time>")
        if let refresh = page.refreshSeconds { html.raw(" · reloads every \(refresh) s") }
        html.raw("</p></header><main>")
        for environment in page.environments { EnvironmentSection.render(environment, into: &html) }
        html.raw("</main></body></html>\n")
        return html.output
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    /// `1 h 2 min`, `3 min 4 s`, `5 s`, `0.4 s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    static let stylesheet = """
    :root{--blue:#1f5fbf;--green:#1d7a3a;--bad:#a4161a;--warn:#7a4d00;--ink:#1b1b1b;--muted:#555;--line:#d0d0d0}
    *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fafafa}
    header{padding:12px 20px;background:#fff;border-bottom:1px solid var(--line)}h1{margin:0;font-size:22px}
    .meta{margin:2px 0 0;color:var(--muted);font-size:13px}main{padding:8px 20px 40px;max-width:1400px}
    section.env{background:#fff;border:1px solid var(--line);border-radius:6px;margin:16px 0;padding:12px 16px}
    h2{margin:0 0 6px;font-size:19px}h3{margin:14px 0 6px;font-size:15px}
    table{width:100%;border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-top:1px solid var(--line)}
    th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
    .bar{display:flex;height:26px;min-width:180px;border:1px solid var(--ink);border-radius:3px;overflow:hidden;font-size:12px;font-weight:600}
    .bar span{display:flex;align-items:center;justify-content:center;white-space:nowrap;color:#fff;overflow:hidden}
    .bar .blue{background:var(--blue)}
    .bar .green{background:repeating-linear-gradient(135deg,var(--green) 0 8px,#14602c 8px 16px)}
    .weights{font-size:13px;margin-top:2px}
    .badge{display:inline-block;padding:1px 7px;border-radius:3px;font-size:12px;font-weight:700;border:1px solid}
    .ok{color:var(--green);border-color:var(--green)}.split{color:var(--warn);border-color:var(--warn)}.bad{color:var(--bad);border-color:var(--bad)}
    .reasons{margin:2px 0 0;padding-left:18px;color:var(--bad);font-size:13px}
    .op{border-left:4px solid var(--warn);padding:6px 10px;background:#fff8e6;margin:8px 0}
    .problem{color:var(--bad)}.muted{color:var(--muted)}a{color:#0b4aa2}code{font-size:13px;word-break:break-all}
    @media (max-width:720px){body{font-size:14px}main{padding:4px 8px 24px}section.env{padding:10px}
    table,thead,tbody,tr,th,td{display:block}thead{display:none}tr{border-top:2px solid var(--line);padding:6px 0}
    td{border:0;padding:3px 0}td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}.bar{min-width:0}}
    """
}

/// Appends markup; `text` escapes, `raw` is only ever given literals and numbers.
struct HTMLBuilder {
    var output = ""

    init() { output.reserveCapacity(64 * 1024) }

    mutating func raw(_ markup: String) { output += markup }
    mutating func text(_ value: String) { output += HTMLEscape.text(value) }
    /// `<tag attributes>escaped</tag>`
    mutating func element(_ tag: String, _ value: String, attributes: String = "") {
        output += "<\(tag)\(attributes.isEmpty ? "" : " " + attributes)>"
        text(value)
        output += "</\(tag)>"
    }
}
