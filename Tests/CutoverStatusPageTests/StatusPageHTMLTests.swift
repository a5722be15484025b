import CutoverStatusPage
import Foundation
import Testing

/// The page's rendering on its own: hostile journal values stay text, every number shows as text
/// (never colour alone), and progress is read from the console lines a promote prints.
struct StatusPageHTMLTests {
    static let hostile = "<script>alert(\"x\")</script>&'"

    func page(release: String = "r2", reason: String? = nil) -> StatusPage {
        let green = ColorStatus(targetGroup: "stg-web-green", exists: true, percent: 30, release: release, healthy: 1, total: 2,
                                states: ["healthy": 1, "unhealthy": 1], unhealthyTargets: ["i-0bad:80 unhealthy (Target.FailedHealthChecks)"])
        let blue = ColorStatus(targetGroup: "stg-web-blue", exists: true, percent: 70, release: "r1", healthy: 2, total: 2)
        let environment = EnvironmentStatus(
            name: "staging",
            groups: [GroupStatus(unit: "frontend", route: "listener arn:x", blue: blue, green: green, live: "blue", split: true, unhealthy: false)],
            lock: "cutover promote --release \(release) (pid 1 on host)",
            operations: [OperationStatus(id: "op-1", kind: "promote", state: "running", startedAt: Date(timeIntervalSince1970: 0),
                                         progress: OperationProgress.parse(["promote: step 1 of 2: 1 group to 30%", "promote: baking at 30%, 20s left; healthy: frontend 1/2"]))],
            approvals: [Approval(job: "releases/spectate/staging/service-deploy", number: 7, url: "http://j/job/x/7/", message: "Promote \(release)?",
                                 inputURL: "http://j/job/x/7/input/", since: nil)],
            timeline: [TimelineEntry(time: Date(timeIntervalSince1970: 100), release: release, command: "rollback", outcome: "done",
                                     detail: reason, user: "ann", buildURL: "https://j/job/rollback/3/", buildNumber: "3", seconds: 12)])
        return StatusPage(system: "spectate", version: "0.1.0", generatedAt: Date(timeIntervalSince1970: 200), refreshSeconds: 5,
                          environments: [environment])
    }

    @Test func hostileReleaseAndReasonAreEscapedEverywhere() {
        let html = StatusPageHTML.render(page(release: Self.hostile, reason: Self.hostile))
        #expect(!html.contains("<script"), "no script element, whatever the journal holds")
        #expect(!html.contains(Self.hostile))
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        // In the timeline (release and reason), the approval message, the lock, the green release, attributes.
        #expect(html.components(separatedBy: escaped).count - 1 >= 6, "\(html)")
        #expect(html.contains("data-release=\"\(escaped)\""))
    }

    @Test func numbersAreWrittenOutNotOnlyColoured() {
        let html = StatusPageHTML.render(page())
        #expect(html.contains("data-unit=\"frontend\" data-blue=\"70\" data-green=\"30\""))
        #expect(html.contains("blue <span class=\"blue-percent\">70%</span> · green <span class=\"green-percent\">30%</span>"))
        #expect(html.contains("aria-label=\"blue 70%, green 30%\""))
        #expect(html.contains("1/2 healthy") && html.contains("Target.FailedHealthChecks"))
        #expect(html.contains(">SPLIT<"))
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
        #expect(html.contains("@media (max-width:720px)"))
        #expect(html.contains("<span class=\"step\">1 of 2: 1 group to 30%</span>"))
        #expect(html.contains("data-seconds=\"20\">20 s left"))
        #expect(html.contains("<a href=\"https://j/job/rollback/3/\">build #3</a> (ann)"))
        #expect(html.contains("12 s"))
    }

    @Test func anArchivedPageDoesNotReload() {
        var archived = page()
        archived.refreshSeconds = nil
        #expect(!StatusPageHTML.render(archived).contains("http-equiv=\"refresh\""))
    }

    @Test func aBuildLinkIsOnlyEverHTTP() {
        var hostile = page()
        hostile.environments[0].timeline[0].buildURL = "javascript:alert(1)"
        let html = StatusPageHTML.render(hostile)
        #expect(!html.contains("javascript:"))
        #expect(html.contains("ann"))
    }

    @Test func progressFollowsTheLatestStep() {
        let progress = OperationProgress.parse([
            "promote: step 1 of 3: 4 groups to 10%", "promote: baking at 10%, 50s left; healthy: web 4/4",
            "promote: step 2 of 3: 4 groups to 50%",
        ])
        #expect(progress.step == "2 of 3: 4 groups to 50%")
        #expect(progress.bakeSecondsLeft == nil, "a bake line belongs to the step before")
        let baking = OperationProgress.parse(["promote: step 2 of 3: 4 groups to 50%", "promote: baking at 50%, 20s left; healthy: web 4/4"])
        #expect(baking.bakePercent == 50 && baking.bakeSecondsLeft == 20)
    }

    @Test func theBakeCountsDownFromTheTimeOfItsLine() {
        let printed = Date(timeIntervalSince1970: 1_000_000)
        let lines = [(time: printed.addingTimeInterval(-1), text: "promote: step 1 of 3: 3 groups to 10%"),
                     (time: printed, text: "promote: baking at 10%, 57s left; healthy: web 1/1")]
        #expect(OperationProgress.parse(lines, now: printed.addingTimeInterval(7.5)).bakeSecondsLeft == 50)
        #expect(OperationProgress.parse(lines, now: printed).bakeSecondsLeft == 57)
        #expect(OperationProgress.parse(lines, now: printed.addingTimeInterval(90)).bakeSecondsLeft == 0, "never below 0")
        #expect(OperationProgress.parse(lines, now: printed.addingTimeInterval(7.5)).step == "1 of 3: 3 groups to 10%")
    }

    @Test(arguments: [(0, "[..........]"), (4, "[#.........]"), (50, "[#####.....]"), (96, "[#########.]"), (100, "[##########]")])
    func textBar(percent: Int, bar: String) {
        #expect(TextBar.bar(percent: percent) == bar)
    }

    @Test func consoleLine() {
        #expect(TextBar.line(unit: "web", width: 5, color: "green", percent: 50, healthy: 4, total: 4) == "web   [#####.....] green 50%  4/4 healthy")
    }
}
