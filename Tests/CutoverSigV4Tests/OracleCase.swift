import Foundation

/// One request botocore signed, as `Tests/Support/sigv4/oracle.py` prints it.
struct OracleCase: Decodable, Sendable {
    struct Credentials: Decodable, Sendable {
        var access_key_id: String
        var secret_access_key: String
        var session_token: String?
    }

    struct Expected: Decodable, Sendable {
        var canonical_request: String
        var string_to_sign: String
        var authorization: String
        var added_headers: [[String]]
    }

    var id: Int
    var method: String
    var url: String
    var headers: [[String]]
    var body_base64: String
    var date: Int
    var include_content_sha256: Bool
    var credentials: Credentials
    var region: String
    var service: String
    var expected: Expected

    var headerPairs: [(String, String)] { headers.map { ($0[0], $0[1]) } }
    var body: Data { Data(base64Encoded: body_base64)! }
    var signingDate: Date { Date(timeIntervalSince1970: TimeInterval(date)) }

    /// The inputs, for a failure message that can be replayed by hand.
    var summary: String {
        "case \(id): \(method) \(url) headers=\(headers) body=\(body_base64.prefix(60)) date=\(date) "
            + "sha=\(include_content_sha256) token=\(credentials.session_token != nil) \(region)/\(service)"
    }
}

/// Runs the botocore oracle and decodes its cases.
enum Oracle {
    /// `Tests/Support/sigv4/oracle.py`, found by walking up from this file's real location, so
    /// it works in the repo and in a scratch package that symlinks the test directory.
    static func scriptPath(from file: String = #filePath) -> String? {
        var directory = URL(fileURLWithPath: file).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("Tests/Support/sigv4/oracle.py").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `python3 oracle.py count seed`; throws with the script's stderr when it fails
    /// (most likely botocore missing: `pip install 'botocore>=1.43,<1.44'`).
    static func cases(count: Int, seed: Int) throws -> [OracleCase] {
        guard let script = scriptPath() else { throw Failure(description: "oracle.py not found above \(#filePath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, String(count), String(seed)]
        let stdout = Pipe()
        let stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-oracle-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: stderrFile) }
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        // Read before waiting: the output is larger than a pipe buffer.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            throw Failure(description: "oracle.py exited \(process.terminationStatus): \(stderr)")
        }
        let decoder = JSONDecoder()
        return try output.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(OracleCase.self, from: Data($0)) }
    }
}
