@testable import CutoverCore
import Testing

@Suite("Value kinds")
struct ValueKindTests {
    @Test(arguments: [
        (ValueKind.name, "feed-normalizer", true), (.name, "a", true), (.name, "Feed", false), (.name, "feed-", false),
        (.name, "feed--x", false), (.name, "9lives", false), (.name, String(repeating: "a", count: 41), false),
        (.agentLabel, "release && (linux || docker) && !windows", true), (.agentLabel, "a;b", false),
        (.folderPath, "releases/spectate", true), (.folderPath, "/releases", false), (.folderPath, "a/../b", false),
        (.httpURL, "https://jenkins.example.com:8443/ci", true), (.httpURL, "ftp://x", false),
        (.httpURL, "https://u:p@x.com", false), (.httpURL, "https://x.com/?a=b", false),
        (.gitURL, "git@github.com:org/repo.git", true), (.gitURL, "ssh://git@host:22/org/repo.git", true),
        (.gitURL, "https://host/org/repo.git", true), (.gitURL, "file:///etc", false), (.gitURL, "host:path", false),
        (.gitRef, "release/2026.11", true), (.gitRef, "-x", false), (.gitRef, "a..b", false),
        (.path, "ansible/deploy.yaml", true), (.path, "/usr/local/bin/cutover", true), (.path, "../x", false),
        (.path, "a//b", false), (.region, "eu-west-1", true), (.region, "us-gov-west-1", true), (.region, "eu-west", false),
        (.listenerARN, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2", true),
        (.listenerARN, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee", false),
        (.ruleARN, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee", true),
        (.listenerARN, "arn:aws:elasticloadbalancing:eu-west-1:12345:listener/app/web/5/f", false),
        (.targetGroupName, "production-fn-horse-racing-green", true), (.targetGroupName, "production-fn-horse-racing-greens", false),
        (.targetGroupName, "-a", false), (.targetGroupName, "a_b", false),
        (.pathPattern, "/feeds/*", true), (.pathPattern, "feeds", false), (.hostPattern, "*.example.com", true),
    ])
    func accepts(kind: ValueKind, value: String, valid: Bool) {
        let problem = kind.problem(with: value)
        #expect((problem == nil) == valid, "\(kind) \(value): \(problem ?? "valid")")
    }

    @Test func namesInvisibleCharacters() {
        #expect(ValueKind.name.problem(with: "a\u{202E}b") == "contains the character U+202E")
        #expect(ValueKind.name.problem(with: "a b") == "contains a space")
        #expect(ValueKind.name.problem(with: "a\nb") == "contains a line break")
    }

    @Test func editDistanceFindsTypos() {
        #expect(closest(to: "aprovers", in: ["agent", "approvers"]) == "approvers")
        #expect(closest(to: "zzz", in: ["agent", "approvers"]) == nil)
    }
}
