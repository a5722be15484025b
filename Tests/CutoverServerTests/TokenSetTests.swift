@testable import CutoverServer
import CutoverTesting
import Foundation
import Testing

@Suite("Tokens: scopes, the token file, constant-time comparison")
struct TokenSetTests {
    @Test func scopesFromTheEnvironment() throws {
        let tokens = try TokenSet.load(environment: ["CUTOVER_API_TOKEN": Secrets.operate, "CUTOVER_READ_TOKEN": Secrets.read], file: nil)
        #expect(tokens.scope(of: Secrets.operate) == .operate)
        #expect(tokens.scope(of: Secrets.read) == .read)
        #expect(tokens.scope(of: Secrets.read + " ") == nil)
        #expect(tokens.scope(of: String(Secrets.read.dropLast())) == nil)
        #expect(tokens.scope(of: "") == nil)
        #expect(try TokenSet.load(environment: ["CUTOVER_API_TOKEN": ""], file: nil).isEmpty, "an empty variable is no token")
    }

    @Test func aTokenFileHoldsSeveral() throws {
        let directory = try Paths.temporaryDirectory("tokens")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tokens").path
        try "# who may do what\noperate jenkins-agent-0123456789\n\nread   dashboard-0123456789abc\r\nread\tgrafana-0123456789abcdef\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let tokens = try TokenSet.load(environment: ["CUTOVER_READ_TOKEN": Secrets.read], file: path)
        #expect(tokens.counts == [TokenScope.operate: 1, TokenScope.read: 3])
        #expect(tokens.scope(of: "jenkins-agent-0123456789") == .operate)
        #expect(tokens.scope(of: "dashboard-0123456789abc") == .read)
        #expect(tokens.scope(of: "grafana-0123456789abcdef") == .read)
        #expect(tokens.scope(of: Secrets.read) == .read)
    }

    @Test func aBadLineIsNamedButNeverQuoted() throws {
        let directory = try Paths.temporaryDirectory("tokens")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tokens").path
        try "operate fine-token-0123456789\nadmin secret-value-0123456789\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: TokenFileError.self) { try TokenSet.load(environment: [:], file: path) }
        #expect(error.line == 2 && error.code == "serve.token-file")
        #expect("\(error)" == "\(path):2 line is not `operate <token>` or `read <token>`")
        #expect(!"\(error)".contains("secret-value"))
        try "read short\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TokenFileError.self) { try TokenSet.load(environment: [:], file: path) }
        #expect(throws: TokenFileError.self) { try TokenSet.load(environment: [:], file: path + ".missing") }
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equal(Data("abc".utf8), Data("abc".utf8)))
        #expect(!ConstantTime.equal(Data("abc".utf8), Data("abd".utf8)))
        #expect(!ConstantTime.equal(Data("abc".utf8), Data("abcd".utf8)))
        #expect(!ConstantTime.equalDigests([1, 2], [1, 2, 3]))
    }
}
