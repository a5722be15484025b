import CutoverState
import CutoverSteps
import CutoverTesting
import Foundation
import Testing

/// The status page and `/metrics` of a real `cutover serve` over moto and the Jenkins emulator, read by
/// headless Chromium (the DOM it rendered), `promtool` and prometheus_client's parser.
@Suite(.serialized) struct StatusPageOnMotoTests {
    static let hostile = "<script>alert(\"x\")</script>&'"
    let release = Scenario.release

    static let operate = "operate-token-\(UUID().uuidString)"

    func daemon(_ scenario: Scenario, jenkins: JenkinsEmulator? = nil) throws -> ServeProcess {
        var environment = scenario.runEnvironment
        environment["CUTOVER_READ_TOKEN"] = "read-token-\(UUID().uuidString)"
        environment["CUTOVER_API_TOKEN"] = Self.operate
        for (key, value) in jenkins?.environment ?? ["JENKINS_URL": "http://127.0.0.1:9"] { environment[key] = value }
        return try ServeProcess(["-c", scenario.config, "--watch", "off", "--public-read"], environment: environment)
    }

    /// Two older releases in the journal — one with a hostile name and reason — beside r2's provision.
    func journalHistory(_ scenario: Scenario) async throws {
        let journal = JournalStore(store: LocalStateStore(directory: scenario.stateDirectory))
        let build = JournalSigner(user: "ann", build: "https://jenkins.example.com/job/promote/11/", buildNumber: "11")
        var r0 = try await journal.open(system: "spectate", environment: "staging", release: "r0")
        r0.journal.log("promote", "started", at: Date(timeIntervalSinceNow: -7200), by: build)
        r0.journal.log("promote", "done", at: Date(timeIntervalSinceNow: -7140), by: build)
        try await journal.save(&r0)
        var bad = try await journal.open(system: "spectate", environment: "staging", release: Self.hostile)
        bad.journal.log("rollback", "done", Self.hostile, at: Date(timeIntervalSinceNow: -3600), startedAt: Date(timeIntervalSinceNow: -3630),
                        by: JournalSigner(user: "bob", build: nil, buildNumber: nil))
        try await journal.save(&bad)
    }

    /// A service-deploy build waiting at its approval gate.
    func approvalGate(_ jenkins: JenkinsEmulator) throws {
        let folder = "<com.cloudbees.hudson.plugins.folder.Folder><description/></com.cloudbees.hudson.plugins.folder.Folder>"
        let job = """
        <flow-definition><description/><properties><hudson.model.ParametersDefinitionProperty><parameterDefinitions>\
        <hudson.model.StringParameterDefinition><name>RELEASE</name><defaultValue/><trim>true</trim></hudson.model.StringParameterDefinition>\
        </parameterDefinitions></hudson.model.ParametersDefinitionProperty></properties>\
        <definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition"><script>x</script><sandbox>true</sandbox></definition></flow-definition>
        """
        try jenkins.seed(["releases": folder, "releases/spectate": folder, "releases/spectate/staging": folder,
                          "releases/spectate/staging/service-deploy": job])
        try jenkins.control("POST", "next-result", ["job": "releases/spectate/staging/service-deploy", "input": ["message": "Promote r2 to staging?", "ok": "Promote"]])
        let jar = try Paths.temporaryDirectory("jar").appendingPathComponent("cookies").path
        let auth = "\(jenkins.user):\(jenkins.token)"
        let issued = try Subprocess.run("/usr/bin/curl", ["-sS", "-c", jar, "-u", auth, jenkins.url.absoluteString + "/crumbIssuer/api/json"])
        let crumb = (try? JSONSerialization.jsonObject(with: Data(issued.stdout.utf8)) as? [String: Any])?["crumb"] as? String ?? ""
        let trigger = try Subprocess.run("/usr/bin/curl", ["-sS", "-w", "%{http_code}", "-b", jar, "-H", "Jenkins-Crumb: \(crumb)", "-u", auth, "-X", "POST",
                                                           jenkins.url.absoluteString + "/job/releases/job/spectate/job/staging/job/service-deploy/buildWithParameters?RELEASE=r2"])
        guard trigger.stdout.hasSuffix("201") else { throw ReadyProcess.StartError(message: "trigger failed: \(trigger.stdout) \(trigger.stderr)") }
    }

    /// A stopped EC2 instance registered in `group`, made with boto3 straight against moto.
    func unhealthyTarget(_ scenario: Scenario, in group: String) throws {
        let script = """
        import boto3
        kw = dict(endpoint_url="\(scenario.testbed.motoURL.absoluteString)", region_name="eu-west-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
        ec2, elb = boto3.client("ec2", **kw), boto3.client("elbv2", **kw)
        image = ec2.describe_images()["Images"][0]["ImageId"]
        iid = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
        arn = elb.describe_target_groups(Names=["\(group)"])["TargetGroups"][0]["TargetGroupArn"]
        elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": iid}])
        ec2.stop_instances(InstanceIds=[iid])
        """
        let result = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3", ["-c", script])
        guard result.status == 0 else { throw ReadyProcess.StartError(message: "unhealthy target: \(result.stderr)") }
    }

    func chromium(_ arguments: [String]) throws -> ProcessResult {
        let binary = Subprocess.which("chromium") ?? "/usr/bin/chromium"
        return try Subprocess.run(binary, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                           "--user-data-dir=\(try Paths.temporaryDirectory("chromium").path)"] + arguments)
    }

    /// The row of `unit` as Chromium serialised it.
    func row(_ dom: String, _ unit: String) -> String {
        guard let start = dom.range(of: "<tr data-unit=\"\(unit)\"") else { return "" }
        let rest = dom[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</tr>")?.upperBound ?? rest.endIndex)])
    }

    @Test func chromiumShowsTheSplitTheUnhealthyTargetTheGateAndTheTimeline() async throws {
        var scenario = try Scenario(steps: [50, 100], bake: "120s")
        // A second green target for football that is stopped: unhealthy, with its reason.
        try unhealthyTarget(scenario, in: "stg-fn-football-green")
        scenario.environment["BUILD_URL"] = "https://jenkins.example.com/job/promote/12/"
        scenario.environment["BUILD_NUMBER"] = "12"
        try await journalHistory(scenario)
        // frontend mid-promotion: at 50% and baking for two minutes, holding the lock.
        let promote = try scenario.start("promote", "--release", release, "--service", "frontend",
                                         output: scenario.directory.appendingPathComponent("promote"))
        defer { if promote.isRunning { kill(promote.processIdentifier, SIGKILL) } }
        let jenkins = try JenkinsEmulator()
        try approvalGate(jenkins)
        let server = try daemon(scenario, jenkins: jenkins)
        #expect(try scenario.waitFor(60) { try scenario.splits().values.contains { $0["stg-frontend-green"] == 50 } })

        var dom = ""
        #expect(try scenario.waitFor(30) {
            dom = try chromium(["--dump-dom", server.url.absoluteString + "/"]).stdout
            return row(dom, "frontend").contains("data-green=\"50\"") && dom.contains("data-approval=") && dom.contains("held by cutover promote")
        }, "\(dom)")
        let frontend = row(dom, "frontend")
        #expect(frontend.contains("data-blue=\"50\" data-green=\"50\""), "\(frontend)")
        #expect(frontend.contains("<span class=\"blue-percent\">50%</span>") && frontend.contains("<span class=\"green-percent\">50%</span>"))
        #expect(frontend.contains(">SPLIT<"))
        #expect(frontend.contains("release <strong class=\"release\">\(release)</strong>"))
        let football = row(dom, "feed-normalizer/football")
        #expect(football.contains("data-healthy=\"1\" data-total=\"2\""), "\(football)")
        #expect(football.contains("1/2 healthy"))
        #expect(football.range(of: "<ul class=\"reasons\"><li>i-[0-9a-f]+(:[0-9]+)? (unhealthy|unused)", options: .regularExpression) != nil, "\(football)")
        #expect(row(dom, "event-management").contains("data-blue=\"100\" data-green=\"0\""))
        // The gate, read from Jenkins, with a link to the build and to Jenkins' own input page.
        #expect(dom.contains("releases/spectate/staging/service-deploy #1</a>: Promote r2 to staging?"), "\(dom)")
        #expect(dom.contains("/job/releases/job/spectate/job/staging/job/service-deploy/1/input/"))
        // Three releases in the timeline: r2 (provisioned, promote started in build 12), r0, and the hostile one.
        let releases = Set(dom.components(separatedBy: "<tr data-release=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) })
        #expect(releases.count == 3, "\(releases)")
        #expect(dom.contains("<a href=\"https://jenkins.example.com/job/promote/11/\">build #11</a> (ann)"))
        #expect(dom.contains("<a href=\"https://jenkins.example.com/job/promote/12/\">build #12</a>"))
        #expect(dom.contains(">provision<") && dom.contains(">started<"))
        // The hostile strings arrive as text: Chromium built no script element from them.
        #expect(!dom.contains("<script"), "\(dom)")
        #expect(dom.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt;&amp;'"), "\(dom)")

        // Screenshots at laptop and phone width: kept under docs/ with CUTOVER_SCREENSHOTS=1.
        let keep = ProcessInfo.processInfo.environment["CUTOVER_SCREENSHOTS"] == "1"
        let folder = keep ? URL(fileURLWithPath: Paths.repo("docs")) : try Paths.temporaryDirectory("shots")
        for (name, size) in [("status-page-laptop.png", "1366,900"), ("status-page-phone.png", "390,1600")] {
            let file = folder.appendingPathComponent(name).path
            let shot = try chromium(["--screenshot=\(file)", "--window-size=\(size)", server.url.absoluteString + "/"])
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 10_000, "\(shot.stderr)")
        }
        kill(promote.processIdentifier, SIGTERM)
        promote.waitUntilExit()
    }

    /// Every `<tr data-unit=…>` of the page with its green share, as Chromium serialised them.
    func greenByUnit(_ dom: String) -> [String: String] {
        var result: [String: String] = [:]
        for chunk in dom.components(separatedBy: "<tr data-unit=\"").dropFirst() {
            let unit = String(chunk.prefix { $0 != "\"" })
            guard let range = chunk.range(of: "data-green=\"") else { continue }
            result[unit] = String(chunk[range.upperBound...].prefix { $0 != "\"" })
        }
        return result
    }

    /// The share of green on every route that has a green group, read from moto.
    func greenShares(_ scenario: Scenario) throws -> [String: Int] {
        try scenario.splits().compactMapValues { split in
            let total = split.values.reduce(0, +)
            return split.first { $0.key.hasSuffix("-green") }.map { total == 0 ? 0 : $0.value * 100 / total }
        }
    }

    @Test func aPromotionRunningInTheSidecarShowsItsStepAndBakeUntilItIsAborted() async throws {
        let scenario = try Scenario(steps: [10, 50, 100], bake: "60s")
        let server = try daemon(scenario)
        let started = try await server.request("POST", "/v1/environments/staging/promote?follow=false", token: Self.operate,
                                               body: Data(#"{"release": "r2"}"#.utf8))
        try #require(started.status == 202, "\(String(decoding: started.body, as: UTF8.self))")
        let id = try #require((try JSONSerialization.jsonObject(with: started.body) as? [String: Any])?["id"] as? String)
        // On any early exit, SIGTERM lets the daemon abort the promotion (every group put back) before it exits.
        defer { _ = server.stop(signal: SIGTERM, timeout: 90) }
        try #require(try scenario.waitFor(30) {
            let shares = try greenShares(scenario)
            return shares.count >= 3 && shares.values.allSatisfy { $0 == 10 }
        }, "the promotion never reached its first step")

        // The page, once its 2 s cache has read the moved weights and the bake has printed its first line.
        var dom = "", operation = ""
        let loaded = try scenario.waitFor(30) {
            dom = try chromium(["--dump-dom", server.url.absoluteString + "/"]).stdout
            guard let start = dom.range(of: "<div class=\"op\" data-operation=\"\(id)\"") else { return false }
            operation = String(dom[start.lowerBound...].prefix { $0 != "\n" })
            operation = String(operation[..<(operation.range(of: "</div>")?.upperBound ?? operation.endIndex)])
            let greens = greenByUnit(dom)
            return operation.contains("class=\"bake-left\"") && greens.count >= 3 && greens.values.allSatisfy { $0 == "10" }
        }
        #expect(loaded, "\(dom)")
        #expect(operation.contains("<strong>promote running</strong>"), "\(operation)")
        #expect(operation.contains("Step <span class=\"step\">1 of 3: "), "\(operation)")
        #expect(operation.contains("to 10%</span>"), "\(operation)")
        #expect(operation.contains("Baking at <span class=\"bake-percent\">10%</span>"), "\(operation)")
        // The time left, in seconds, within the 60 s bake (counted down from the line's time, not stale).
        let left = operation.range(of: "data-seconds=\"").map { Int(operation[$0.upperBound...].prefix { $0.isNumber }) ?? -1 } ?? -1
        #expect((1...60).contains(left), "\(operation)")
        #expect(operation.contains(">\(left) s left</span>"), "\(operation)")
        // The groups: every split one at 10% green / 90% blue, in numbers and words.
        let greens = greenByUnit(dom)
        #expect(Set(greens.keys).isSuperset(of: ["frontend", "feed-normalizer/football", "feed-normalizer/tennis"]), "\(greens)")
        for unit in ["frontend", "feed-normalizer/football", "feed-normalizer/tennis"] {
            let cells = row(dom, unit)
            #expect(cells.contains("data-blue=\"90\" data-green=\"10\""), "\(cells)")
            #expect(cells.contains("<span class=\"green-percent\">10%</span>") && cells.contains(">SPLIT<"), "\(cells)")
        }
        #expect(dom.contains("held by cutover promote"), "\(dom)")
        // The server's time, split into the reads and the rest (what bench/status_page.py measures).
        let timed = try await server.request("GET", "/")
        let timing = timed.headers.first { $0.0.lowercased() == "server-timing" }?.1 ?? ""
        #expect(timing.range(of: #"^wait;dur=[0-9]+\.[0-9]{3}, render;dur=[0-9]+\.[0-9]{3}, aws;dur=[0-9]+\.[0-9]{3};desc="[^"]+"$"#,
                             options: .regularExpression) != nil,
                "\(timed.headers)")

        // Abort: the promotion puts every group back; the page no longer shows it running.
        let abort = try await server.request("POST", "/v1/operations/\(id)/abort", token: Self.operate)
        #expect(abort.status == 202)
        var summary: [String: Any] = [:]
        for _ in 0..<600 {
            summary = try await server.json("GET", "/v1/operations/\(id)", token: Self.operate)
            if summary["finishedAt"] != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(summary["state"] as? String == "aborted", "\(summary)")
        let settled = try scenario.waitFor(30) {
            dom = try chromium(["--dump-dom", server.url.absoluteString + "/"]).stdout
            let greens = greenByUnit(dom)
            return dom.contains("<section class=\"env\"") && greens.count >= 3 && greens.values.allSatisfy { $0 == "0" }
        }
        #expect(settled, "\(dom)")
        #expect(!dom.contains("data-operation=\"\(id)\""), "\(dom)")
        #expect(!dom.contains("promote running") && !dom.contains("class=\"bake-left\""), "\(dom)")
        for unit in ["frontend", "feed-normalizer/football", "feed-normalizer/tennis"] {
            let cells = row(dom, unit)
            #expect(cells.contains("data-blue=\"100\" data-green=\"0\"") && !cells.contains(">SPLIT<"), "\(cells)")
        }
        #expect(dom.contains("Lock: free"), "\(dom)")
    }

    /// promtool, then prometheus_client's parser: family name → (type, samples).
    func scrape(_ server: ServeProcess) async throws -> (text: String, families: [String: [String: Any]]) {
        let response = try await server.request("GET", "/metrics")
        #expect(response.status == 200)
        let text = String(decoding: response.body, as: UTF8.self)
        let promtool = try Subprocess.run(Subprocess.which("promtool") ?? "/usr/bin/promtool", ["check", "metrics"], stdin: text)
        #expect(promtool.status == 0, "promtool: \(promtool.stdout) \(promtool.stderr)\n\(text)")
        let parsed = try Subprocess.run(Subprocess.which("python3") ?? "/usr/bin/python3", [Paths.repo("Tests/Support/metrics/parse.py")], stdin: text)
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let families = (try? JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: [String: Any]]) ?? [:]
        return (text, families)
    }

    /// The units `cutover_traffic_weight` has a series for.
    func weightedUnits(_ families: [String: [String: Any]]) -> Set<String> {
        Set((families["cutover_traffic_weight"]?["samples"] as? [[Any]] ?? []).compactMap { ($0[1] as? [String: String])?["unit"] })
    }

    @Test func aUnitThatLeavesTheWatchedConfigLeavesTheMetrics() async throws {
        let scenario = try Scenario(steps: [100], bake: "0s")
        let jenkins = try JenkinsEmulator()
        var environment = scenario.runEnvironment
        let read = "read-token-\(UUID().uuidString)"
        environment["CUTOVER_READ_TOKEN"] = read
        for (key, value) in jenkins.environment { environment[key] = value }
        let server = try ServeProcess(["-c", scenario.config, "--watch", "file", "--watch-interval", "1", "--public-read"], environment: environment)
        let all: Set = ["frontend", "event-management", "feed-normalizer/football", "feed-normalizer/tennis"]
        var families: [String: [String: Any]] = [:]
        for _ in 0..<120 {
            families = try await scrape(server).families
            let applied = try await server.json("GET", "/v1/reconcile", token: read)["applied"] != nil
            if applied && weightedUnits(families) == all { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(weightedUnits(families) == all, "\(server.log)")

        // feed-normalizer (and its listener) leave the config: its series go at the next reads, the others stay.
        let text = try String(contentsOfFile: scenario.config, encoding: .utf8)
        let start = try #require(text.range(of: "  feed-normalizer:\n"))
        let kept = String(text[..<start.lowerBound]).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("      feeds: ") }.joined(separator: "\n")
        try kept.write(toFile: scenario.config, atomically: true, encoding: .utf8)
        let validated = try CLI.run(["validate", "-c", scenario.config], environment: [:])
        try #require(validated.status == 0, "\(validated.stderr)")
        let edited = Date()
        var gone = false
        // Bounded generously: on a loaded machine a reconcile and a read of moto take seconds each, and
        // how fast is the benchmarks' to say, not a test's.
        while !gone, Date().timeIntervalSince(edited) < 90 {
            families = try await scrape(server).families
            gone = weightedUnits(families) == ["frontend", "event-management"]
            if !gone { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(gone, "\(weightedUnits(families)) \(server.log)")
        let reconciled = try await server.json("GET", "/v1/reconcile", token: read)
        #expect((reconciled["lastRun"] as? [String: Any])?["outcome"] as? String == "applied", "\(reconciled)")
        let (text2, _) = try await scrape(server)
        #expect(!text2.contains("feed-normalizer"), "\(text2)")
        #expect(sample(families, "cutover_traffic_weight", ["unit": "frontend", "color": "blue"]) == 100)
        // The page follows the same config.
        let page = String(decoding: try await server.request("GET", "/").body, as: UTF8.self)
        #expect(page.contains("data-unit=\"frontend\"") && !page.contains("feed-normalizer"), "\(page)")
    }

    func sample(_ families: [String: [String: Any]], _ family: String, _ labels: [String: String]) -> Double? {
        let samples = families[family]?["samples"] as? [[Any]] ?? []
        return samples.first { sample in
            let have = sample[1] as? [String: String] ?? [:]
            return labels.allSatisfy { have[$0.key] == $0.value }
        }.flatMap { $0[2] as? Double }
    }

    @Test func metricsFollowTheTrafficAsItMovesOnMoto() async throws {
        let scenario = try Scenario(steps: [50, 100], bake: "0s")
        let server = try daemon(scenario)
        let frontend = ["system": "spectate", "environment": "staging", "unit": "frontend"]
        var (_, families) = try await scrape(server)
        #expect(families["cutover_traffic_weight"]?["type"] as? String == "gauge")
        #expect(sample(families, "cutover_traffic_weight", frontend.merging(["color": "green"]) { $1 }) == 0)
        #expect(sample(families, "cutover_traffic_weight", frontend.merging(["color": "blue"]) { $1 }) == 100)
        #expect(sample(families, "cutover_target_health", frontend.merging(["color": "green", "state": "healthy"]) { $1 }) == 1)
        #expect(sample(families, "cutover_lock_held", ["environment": "staging"]) == 0)
        #expect(sample(families, "cutover_info", ["version": "0.1.0"]) == 1)
        // prometheus_client names a counter's family without `_total`.
        #expect(families["cutover_reconcile"]?["type"] as? String == "counter")

        let promote = try scenario.cutover("promote", "--release", release)
        #expect(promote.status == 0, "\(promote.stderr)")
        #expect(promote.stderr.contains("[##########] green 100%  1/1 healthy"), "\(promote.stderr)")
        var green: Double?
        for _ in 0..<40 {
            (_, families) = try await scrape(server)
            green = sample(families, "cutover_traffic_weight", frontend.merging(["color": "green"]) { $1 })
            if green == 100 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(green == 100)
        #expect(sample(families, "cutover_traffic_weight", frontend.merging(["color": "blue"]) { $1 }) == 0)
        #expect(sample(families, "cutover_traffic_weight", ["unit": "feed-normalizer/tennis", "color": "green"]) == 100)
        // The HTTP server's own metrics count the scrapes by route template. A scrape is counted once its
        // answer is written, so this third one sees at least the first two.
        (_, families) = try await scrape(server)
        #expect(families["cutover_http_requests"]?["type"] as? String == "counter", "\(families.keys.sorted())")
        #expect((sample(families, "cutover_http_requests", ["route": "/metrics", "status": "200"]) ?? 0) >= 2)
        #expect(families["cutover_http_request_duration_seconds"]?["type"] as? String == "histogram")
    }
}
