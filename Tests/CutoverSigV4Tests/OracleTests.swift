import CutoverSigV4
import Foundation
import Testing

/// The signer against botocore's `SigV4Auth` on seeded random requests. botocore is the
/// reference because it is what the AWS CLI sends and AWS accepts. Set SIGV4_ORACLE_SEED /
/// SIGV4_ORACLE_CASES to explore other cases; a failure prints the case to replay.
@Suite struct OracleTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = Int(environment["SIGV4_ORACLE_SEED"] ?? "") ?? 20_150_830
    static let count = Int(environment["SIGV4_ORACLE_CASES"] ?? "") ?? 400
    /// Generated once (about a second of Python) and shared by both tests.
    static let generated = Result { try Oracle.cases(count: count, seed: seed) }

    @Test func signerMatchesBotocoreOnEveryCase() throws {
        let cases = try Self.generated.get()
        #expect(cases.count == Self.count)
        var mismatches: [String] = []
        for oracleCase in cases {
            guard let url = URL(string: oracleCase.url), url.absoluteString == oracleCase.url else {
                mismatches.append("\(oracleCase.summary)\n  URL(string:) rejected or rewrote the url")
                continue
            }
            let creds = oracleCase.credentials
            let signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyID: creds.access_key_id, secretAccessKey: creds.secret_access_key,
                                            sessionToken: creds.session_token),
                region: oracleCase.region, service: oracleCase.service)
            let signed = signer.sign(
                method: oracleCase.method, url: url, headers: oracleCase.headerPairs, body: oracleCase.body,
                date: oracleCase.signingDate, includeContentSHA256: oracleCase.include_content_sha256)
            var problems: [String] = []
            if signed.canonicalRequest != oracleCase.expected.canonical_request {
                problems.append("canonical request:\n--- botocore\n\(oracleCase.expected.canonical_request)\n--- ours\n\(signed.canonicalRequest)")
            }
            if signed.stringToSign != oracleCase.expected.string_to_sign {
                problems.append("string to sign:\n--- botocore\n\(oracleCase.expected.string_to_sign)\n--- ours\n\(signed.stringToSign)")
            }
            if signed.authorization != oracleCase.expected.authorization {
                problems.append("authorization: botocore \(oracleCase.expected.authorization)\n  ours \(signed.authorization)")
            }
            let expectedHeaders = oracleCase.expected.added_headers.map { "\($0[0]): \($0[1])" }.sorted()
            let ourHeaders = signer.signingHeaders(
                method: oracleCase.method, url: url, headers: oracleCase.headerPairs, body: oracleCase.body,
                date: oracleCase.signingDate, includeContentSHA256: oracleCase.include_content_sha256
            ).map { "\($0.0): \($0.1)" }.sorted()
            if ourHeaders != expectedHeaders {
                problems.append("added headers: botocore \(expectedHeaders)\n  ours \(ourHeaders)")
            }
            if !problems.isEmpty {
                mismatches.append(oracleCase.summary + "\n" + problems.joined(separator: "\n"))
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) cases differ from botocore (seed \(Self.seed)); first:\n\(mismatches.prefix(3).joined(separator: "\n\n"))")
    }

    /// Guards the generator: agreement proves little if the cases stopped covering the
    /// awkward inputs. Each feature must appear in several of the default cases.
    @Test func oracleCasesCoverTheAwkwardInputs() throws {
        let cases = try Self.generated.get()
        func count(_ predicate: (OracleCase) -> Bool) -> Int { cases.filter(predicate).count }
        let features: [(String, Int)] = [
            ("double-encoded path escape", count { $0.expected.canonical_request.split(separator: "\n")[1].contains("%25") }),
            ("unicode path", count { $0.url.contains("%E6%97%A5") || $0.url.contains("%C3%A9") }),
            ("dot or empty segments", count { $0.url.contains("/./") || $0.url.contains("/../") || $0.url.contains("//", after: 8) }),
            ("repeated query keys", count { q in
                let keys = q.url.split(separator: "?").dropFirst().first.map { $0.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).first ?? "" } } ?? []
                return Set(keys).count < keys.count
            }),
            ("query key without =", count { $0.expected.canonical_request.split(separator: "\n", omittingEmptySubsequences: false)[2].contains("=&") }),
            ("duplicate header names", count { q in
                let names = q.headers.map { $0[0].lowercased() }
                return Set(names).count < names.count
            }),
            ("header value whitespace runs", count { $0.headers.contains { $0[1].contains("  ") || $0[1].contains("\t") } }),
            ("unsigned header (user-agent etc.)", count { $0.headers.contains { ["user-agent", "expect", "connection", "x-amzn-trace-id"].contains($0[0].lowercased()) } }),
            ("session token", count { $0.credentials.session_token != nil }),
            ("X-Amz-Content-SHA256", count { $0.include_content_sha256 }),
            ("Date header", count { $0.headers.contains { $0[0].lowercased() == "date" } }),
            ("non-default port", count { $0.expected.canonical_request.contains("host:localhost:4566") || $0.expected.canonical_request.contains(":8443") }),
            ("empty body", count { $0.body_base64.isEmpty }),
            ("binary or form body", count { !$0.body_base64.isEmpty }),
        ]
        for (feature, occurrences) in features {
            #expect(occurrences >= 5, "only \(occurrences) cases with \(feature)")
        }
        #expect(Set(cases.map(\.method)) == ["GET", "POST", "PUT", "DELETE"])
        #expect(Set(cases.map(\.service)).isSuperset(of: ["elasticloadbalancing", "ecs", "rds", "ec2"]))
    }
}

private extension String {
    /// Whether `needle` occurs at or after UTF-8 offset `offset` (to skip `https://`).
    func contains(_ needle: String, after offset: Int) -> Bool {
        String(decoding: utf8.dropFirst(offset), as: UTF8.self).contains(needle)
    }
}
