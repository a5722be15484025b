import CutoverCore
import CutoverTesting
import Foundation
import Testing

@Suite("Config validation")
struct ValidationTests {
    @Test func minimalConfigIsValid() {
        #expect(Fixtures.diagnostics(Fixtures.minimalYAML()) == [])
    }

    @Test func reportsEveryProblemAtOnceInFileOrder() throws {
        let text = try String(contentsOfFile: Paths.repo("Tests/Fixtures/configs/many-problems.yml"), encoding: .utf8)
        let found = Fixtures.diagnostics(text)
        #expect(found.count == 17)
        let positions = found.map { [$0.location.line, $0.location.column] }
        #expect(positions == positions.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
        #expect(found.allSatisfy { !$0.hint.isEmpty && !$0.message.contains("\n") })
        #expect(found.map(\.path).contains("jenkins.aprovers"))
        #expect(found.map(\.path).contains("services.events.target_groups.blue"))
    }

    /// Environments are read on all cores: the report must still be the same list, in file order, and a
    /// service template that fails in two environments must be reported once per environment, the
    /// earlier environment first.
    @Test func environmentsReadInParallelReportInFileOrder() throws {
        var environments = "environments:\n"
        for index in 0..<8 {
            let region = index == 5 ? "region: Not-A-Region" : "region: eu-west-1"
            let arn = index == 2 ? "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x/0/0" : "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/0123456789abcdef/0123456789abcdef"
            environments += "  e\(index):\n    \(region)\n    typo_key: \(index)\n    listeners:\n      web: \(arn)\n"
            if index == 6 { environments += "  Bad_Name:\n    listeners: {}\n" }
        }
        let text = """
        version: 1
        name: shop
        jenkins:
          approvers: [releasers]
          source: {url: https://git.example.com/shop/release.git}
        \(environments)services:
          web:
            kind: instances
            listener: web
            target_groups: {blue: '{env}-web-blue-with-a-name-too-long-for-e1', green: '{env}-green'}
        """
        let first = Fixtures.diagnostics(text)
        for _ in 0..<20 { #expect(Fixtures.diagnostics(text) == first) }
        let lines = first.map(\.location.line)
        #expect(lines == lines.sorted(), "\(first)")
        #expect(first.filter { $0.path.hasSuffix(".typo_key") }.map(\.path) == (0..<8).map { "environments.e\($0).typo_key" })
        #expect(first.contains { $0.path == "environments.e2.listeners.web" })
        #expect(first.contains { $0.path == "environments.e5.region" })
        #expect(first.contains { $0.path == "environments.\'Bad_Name\'" || $0.message.contains("Bad_Name") }, "\(first)")
        // The too-long blue name, once per environment, in environment order (one place in the file).
        let blue = first.filter { $0.path == "services.web.target_groups.blue" }
        let order = blue.map { diagnostic in (0..<8).first { diagnostic.message.contains("(in environment e\($0):") } }
        #expect(order == (0..<8).map { $0 }, "\(blue)")
    }

    @Test func unknownKeySuggestsTheNearestKnownKey() throws {
        let found = Fixtures.diagnostics(Fixtures.minimalYAML(jenkinsExtra: "  keep_bulids: 5"))
        let problem = try #require(found.first)
        #expect(found.count == 1)
        #expect(problem.path == "jenkins.keep_bulids")
        #expect(problem.message == "is not a known key")
        #expect(problem.hint.hasPrefix("did you mean `keep_builds`?"))
        #expect(problem.location.line == 6 && problem.location.column == 3)
    }

    @Test func aSidecarNeedsItsTokenCredentialAndSafeValues() throws {
        let good = try ConfigLoader.parse(Fixtures.minimalYAML(jenkinsExtra: """
          sidecar:
            credential: cutover-sidecar-token
            kubernetes: {image: "registry.example.com/cutover:1.4@sha256:0a1b", service_account: cutover-release}
        """), file: "cutover.yml")
        let sidecar = try #require(good.jenkins.sidecar)
        #expect(sidecar.url == "http://127.0.0.1:8780" && sidecar.credential == "cutover-sidecar-token")
        #expect(sidecar.kubernetes?.image == "registry.example.com/cutover:1.4@sha256:0a1b")
        #expect(sidecar.kubernetes?.serviceAccount == "cutover-release" && sidecar.kubernetes?.secret == nil)
        let found = Fixtures.diagnostics(Fixtures.minimalYAML(jenkinsExtra: """
          sidecar:
            url: "http://127.0.0.1:8780/$(id)"
            kubernetes: {image: "cutover:1.4\\\" ; curl evil", secret: Bad_Secret}
        """))
        #expect(found.map(\.path).sorted() == ["jenkins.sidecar.credential", "jenkins.sidecar.kubernetes.image",
                                                "jenkins.sidecar.kubernetes.secret", "jenkins.sidecar.url"], "\(found)")
        #expect(found.first { $0.path == "jenkins.sidecar.credential" }?.hint.contains("secret-text credential") == true)
    }

    @Test func keysOfTheOtherServiceKindAreRejected() throws {
        let found = Fixtures.diagnostics(Fixtures.minimalYAML(services: """
          web:
            kind: instances
            listener: web
            target_groups: {blue: web-blue, green: web-green}
            task_family: web
        """))
        #expect(found.map(\.path) == ["services.web.task_family"])
        #expect(found.first?.message == "is not a known key of a service of kind instances")
    }

    @Test func yamlSyntaxErrorsHaveAPosition() throws {
        let found = Fixtures.diagnostics("version: 1\nname: [unclosed\n")
        let problem = try #require(found.first)
        #expect(found.count == 1)
        #expect(problem.message.hasPrefix("YAML syntax:"))
        #expect(problem.location.line >= 2)
    }

    @Test func duplicateKeysAreErrors() {
        let found = Fixtures.diagnostics(Fixtures.minimalYAML(jenkinsExtra: "  keep_builds: 5\n  keep_builds: 6"))
        #expect(found.count == 1)
        #expect(found.first?.message == "a mapping gives the key 'keep_builds' more than once")
        #expect(found.first?.location.line == 6)
    }

    @Test func placeholderExpansionIsCheckedPerEnvironment() throws {
        let found = Fixtures.diagnostics(Fixtures.minimalYAML(services: """
          web:
            kind: instances
            listener: web
            target_groups: {blue: '{env}-a-rather-long-target-group', green: '{region}-green'}
        """))
        #expect(found.count == 2)
        #expect(found[0].message == "'{env}-a-rather-long-target-group' (in environment staging: 'staging-a-rather-long-target-group') is 34 characters long (ELBv2 allows 32)")
        #expect(found[1].message == "uses the placeholder {region}, which is not defined here")
    }

    @Test func fanOutWithoutAPerSportRuleIsRejected() {
        let found = Fixtures.diagnostics(Fixtures.minimalYAML(services: """
          feeds:
            kind: instances
            sports: [football, tennis]
            listener: web
            target_groups: {blue: 'fn-{sport}-blue', green: 'fn-{sport}-green'}
        """))
        #expect(found.map(\.message).contains("fans out to 2 sports but names no per-sport rule"))
    }

    @Test func unitsMayNotShareTargetGroups() {
        let found = Fixtures.diagnostics(Fixtures.minimalYAML(services: """
          web:
            kind: instances
            listener: web
            target_groups: {blue: web-blue, green: web-green}
          api:
            kind: instances
            listener: web
            rule: {path: /api/*}
            target_groups: {blue: web-blue, green: api-green}
        """))
        #expect(found.map(\.message) == ["api uses the target group 'web-blue', which web uses too"])
    }

    /// Values that would break out of Groovy, XML, YAML or a shell if they reached a rendered file.
    static let hostileValues: [String] = [
        "a'b", "a\"b", "${x}", "$(id)", "`id`", "</script>", "a\nb", "a\rb", "a b", "a;b", "a\\b", "<x>&amp;",
        String(repeating: "a", count: 300), "${jndi:ldap://x}", "a\u{0}b", "\u{202E}gnp.exe",
    ]

    /// Where each hostile value is put: a description and a function building the config text.
    static let placements: [(String, @Sendable (String) -> String)] = [
        ("service name", { v in Fixtures.minimalYAML(services: "  \(json(v)):\n    kind: instances\n    listener: web\n    target_groups: {blue: b1, green: g1}") }),
        ("sport", { v in Fixtures.minimalYAML(services: "  feeds:\n    kind: instances\n    sports: [\(json(v))]\n    listener: web\n    rule: {path: '/f/{sport}'}\n    target_groups: {blue: b1, green: g1}") }),
        ("approver", { v in Fixtures.minimalYAML().replacingOccurrences(of: "approvers: [releasers]", with: "approvers: [\(json(v))]") }),
        ("agent", { v in Fixtures.minimalYAML(jenkinsExtra: "  agent: \(json(v))") }),
        ("folder", { v in Fixtures.minimalYAML(jenkinsExtra: "  folder: \(json(v))") }),
        ("jenkins url", { v in Fixtures.minimalYAML(jenkinsExtra: "  url: \(json("https://j.example.com/" + v))") }),
        ("aws credential", { v in Fixtures.minimalYAML(jenkinsExtra: "  credentials: {aws: \(json(v))}") }),
        ("binary", { v in Fixtures.minimalYAML(jenkinsExtra: "  binary: \(json(v))") }),
        ("git url", { v in Fixtures.minimalYAML().replacingOccurrences(of: "url: https://git.example.com/shop/release.git", with: "url: \(json("https://git.example.com/" + v))") }),
        ("target group", { v in Fixtures.minimalYAML(services: "  web:\n    kind: instances\n    listener: web\n    target_groups: {blue: \(json(v)), green: g1}") }),
        ("playbook", { v in Fixtures.minimalYAML(services: "  web:\n    kind: instances\n    listener: web\n    playbook: \(json(v))\n    target_groups: {blue: b1, green: g1}") }),
        ("environment name", { v in Fixtures.minimalYAML().replacingOccurrences(of: "  staging:", with: "  \(json(v)):") }),
    ]

    @Test(arguments: 0..<placements.count)
    func hostileValuesAreRejectedWithTheirPlace(placement: Int) {
        let (place, build) = Self.placements[placement]
        // A space is part of label expressions such as `release && linux`.
        for value in Self.hostileValues where !(place == "agent" && value == "a b") {
            let found = Fixtures.diagnostics(build(value))
            #expect(!found.isEmpty, "\(place) accepted \(value.debugDescription)")
            for problem in found {
                #expect(problem.location.line > 1, "\(place): \(problem)")
                // A hostile value is echoed escaped: no raw line break, NUL or bidi control in the report.
                #expect(!problem.description.contains("\r") && !problem.description.contains("\u{0}") && !problem.description.contains("\u{202E}"))
                #expect(problem.message.split(separator: "\n").count == 1, "\(place): \(problem.message.debugDescription)")
            }
        }
    }

    @Test func stateLocationsAreCheckedWhereTheyAreWritten() throws {
        let shared = "s3://spectate-release-state/cutover"
        let config = try ConfigLoader.parse(Fixtures.minimalYAML(extra: "state: \(shared)"), file: "test.yml")
        #expect(config.environments.map(\.state) == [shared])
        let overridden = Fixtures.minimalYAML(extra: "state: \(shared)").replacingOccurrences(of: "  staging:\n", with: "  staging:\n    state: /var/lib/cutover\n")
        #expect(try ConfigLoader.parse(overridden, file: "test.yml").environments.map(\.state) == ["/var/lib/cutover"])
        #expect(try ConfigLoader.parse(Fixtures.minimalYAML(), file: "test.yml").environments.map(\.state) == [nil])

        let found = Fixtures.diagnostics(Fixtures.minimalYAML(extra: "state: s3://Release_State/x")
            .replacingOccurrences(of: "  staging:\n", with: "  staging:\n    state: state-dir\n"))
        #expect(found.map(\.path) == ["environments.staging.state", "state"])
        #expect(found.map(\.message) == ["'state-dir' is a relative path",
                                         "'s3://Release_State/x' has the bucket name 'Release_State', which contains 'R'"])
        #expect(found[0].hint.hasPrefix("write s3://BUCKET/PREFIX to share state between agents"))
        #expect(found[1].hint == "write \(StateLocationSyntax.expectation)")
        #expect(found.map(\.location.column) == [12, 8])
    }

    static func json(_ value: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes]), as: UTF8.self)
            .dropFirst().dropLast().description
    }
}
