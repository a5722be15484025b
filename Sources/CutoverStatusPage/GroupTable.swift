/// The groups of an environment: route, the blue/green bar with the live weights, the release and the
/// health of each colour, and a word for the state.
enum GroupTable {
    static func render(_ groups: [GroupStatus], into html: inout HTMLBuilder) {
        html.raw("<h3>Traffic</h3>")
        guard !groups.isEmpty else {
            html.raw("<p class=\"muted\">No groups read.</p>")
            return
        }
        html.raw("<table class=\"groups\"><thead><tr><th>Group</th><th>Traffic</th><th>Blue</th><th>Green</th><th>State</th></tr></thead><tbody>")
        for group in groups {
            let unit = HTMLEscape.text(group.unit)
            html.raw("<tr data-unit=\"\(unit)\" data-blue=\"\(group.blue.percent)\" data-green=\"\(group.green.percent)\">")
            html.raw("<td data-label=\"Group\"><strong>\(unit)</strong><br><code>")
            html.text(group.route)
            html.raw("</code></td><td data-label=\"Traffic\">")
            bar(group, into: &html)
            html.raw("</td>")
            color("blue", group.blue, into: &html)
            color("green", group.green, into: &html)
            html.raw("<td data-label=\"State\">")
            state(group, into: &html)
            html.raw("</td></tr>")
        }
        html.raw("</tbody></table>")
    }

    /// Two segments sized by percentage, each labelled; the same numbers again in text below.
    static func bar(_ group: GroupStatus, into html: inout HTMLBuilder) {
        let blue = group.blue.percent, green = group.green.percent
        html.raw("<div class=\"bar\" role=\"img\" aria-label=\"blue \(blue)%, green \(green)%\">")
        if blue > 0 { html.raw("<span class=\"blue\" style=\"width:\(blue)%\">\(blue >= 15 ? "blue \(blue)%" : "")</span>") }
        if green > 0 { html.raw("<span class=\"green\" style=\"width:\(green)%\">\(green >= 15 ? "green \(green)%" : "")</span>") }
        html.raw("</div><div class=\"weights\">blue <span class=\"blue-percent\">\(blue)%</span> · green <span class=\"green-percent\">\(green)%</span></div>")
    }

    static func color(_ name: String, _ state: ColorStatus, into html: inout HTMLBuilder) {
        let label = name == "blue" ? "Blue" : "Green"
        html.raw("<td data-label=\"\(label)\" class=\"color-\(name)\">")
        guard state.exists else {
            html.raw("<span class=\"muted\">absent</span> <code>")
            html.text(state.targetGroup)
            html.raw("</code></td>")
            return
        }
        html.raw("release <strong class=\"release\">")
        html.text(state.release ?? "untagged")
        html.raw("</strong><br><span class=\"health\" data-healthy=\"\(state.healthy)\" data-total=\"\(state.total)\">\(state.healthy)/\(state.total) healthy</span>")
        if !state.unhealthyTargets.isEmpty {
            html.raw("<ul class=\"reasons\">")
            for target in state.unhealthyTargets { html.element("li", target) }
            html.raw("</ul>")
        }
        html.raw("<br><code class=\"muted\">")
        html.text(state.targetGroup)
        html.raw("</code></td>")
    }

    static func state(_ group: GroupStatus, into html: inout HTMLBuilder) {
        var words: [(String, String)] = []
        if group.split { words.append(("split", "SPLIT")) }
        if group.unhealthy { words.append(("bad", "UNHEALTHY")) }
        if words.isEmpty { words.append(("ok", "OK")) }
        for (style, word) in words { html.raw("<span class=\"badge \(style)\">\(word)</span> ") }
        html.raw("<br>live \(group.live == "green" ? "green" : "blue")")
    }
}
