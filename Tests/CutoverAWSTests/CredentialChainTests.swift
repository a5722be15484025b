import CutoverAWS
import CutoverHTTP
import CutoverSigV4
import CutoverTesting
import Foundation
import Testing

/// The credential chain against real HTTP endpoints on loopback (Tests/Support/aws/metadata.py stands in
/// for IMDSv2 and the ECS container endpoint) and a real credentials file.
@Suite struct CredentialChainTests {
    let transport = AsyncHTTPTransport()

    @Test func environmentVariablesComeFirst() async throws {
        let provider = try CredentialChain.provider(
            environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "TOKEN", "AWS_PROFILE": "other"],
            transport: transport)
        #expect(try await provider.credentials() == AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET", sessionToken: "TOKEN"))
        #expect(throws: AWSCredentialsError.self) {
            try CredentialChain.provider(environment: ["AWS_ACCESS_KEY_ID": "AKID"], transport: transport)
        }
    }

    @Test func profileFromTheSharedCredentialsFile() async throws {
        let directory = try Paths.temporaryDirectory("credentials")
        let file = directory.appendingPathComponent("credentials").path
        try "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n[release]\naws_access_key_id = R\naws_secret_access_key = RS\naws_session_token = RT\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let release = try CredentialChain.provider(environment: ["AWS_PROFILE": "release", "AWS_SHARED_CREDENTIALS_FILE": file], transport: transport)
        #expect(try await release.credentials() == AWSCredentials(accessKeyID: "R", secretAccessKey: "RS", sessionToken: "RT"))
        let fallback = try CredentialChain.provider(environment: ["AWS_SHARED_CREDENTIALS_FILE": file], transport: transport)
        #expect(try await fallback.credentials().accessKeyID == "D")
        #expect(throws: AWSCredentialsError.self) {
            try CredentialChain.provider(environment: ["AWS_PROFILE": "missing", "AWS_SHARED_CREDENTIALS_FILE": file], transport: transport)
        }
        // An empty variable counts as unset (shells and Jenkins export empty ones): the default profile of
        // the default file, not "no profile named ''" and not the file named "".
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: file, toPath: directory.appendingPathComponent(".aws/credentials").path)
        let empty = try CredentialChain.provider(environment: ["HOME": directory.path, "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
                                                               "AWS_SHARED_CREDENTIALS_FILE": "", "AWS_ACCESS_KEY_ID": ""], transport: transport)
        #expect(try await empty.credentials().accessKeyID == "D")
    }

    @Test func containerEndpointWithAuthorizationToken() async throws {
        let (process, url) = try ReadyProcess.start(Paths.repo("Tests/Support/aws/metadata.py"), ["--port", "0"])
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let environment = ["HOME": "/nonexistent", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(url.absoluteString)/container/creds",
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-secret"]
        let provider = try CredentialChain.provider(environment: environment, transport: transport)
        let credentials = try await provider.credentials()
        #expect(credentials == AWSCredentials(accessKeyID: "CONTAINER-KEY", secretAccessKey: "CONTAINER-SECRET", sessionToken: "CONTAINER-TOKEN-1"))
        #expect(try await provider.credentials() == credentials, "cached: a second fetch would be CONTAINER-TOKEN-2")
        var wrong = environment
        wrong["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "guess"
        await #expect(throws: AWSCredentialsError.self) {
            try await CredentialChain.provider(environment: wrong, transport: transport).credentials()
        }
    }

    @Test func instanceMetadataV2() async throws {
        let (process, url) = try ReadyProcess.start(Paths.repo("Tests/Support/aws/metadata.py"), ["--port", "0", "--role", "agent-role"])
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let provider = try CredentialChain.provider(environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": url.absoluteString],
                                                    transport: transport)
        let credentials = try await provider.credentials()
        #expect(credentials == AWSCredentials(accessKeyID: "IMDS-KEY", secretAccessKey: "IMDS-SECRET", sessionToken: "IMDS-TOKEN-1"))
        // Cached until near expiry: neither a second ask nor many at once fetch again (the stand-in numbers
        // every set it hands out, so a fetch would show as IMDS-TOKEN-2).
        #expect(try await provider.credentials() == credentials)
        let concurrent = try await withThrowingTaskGroup(of: AWSCredentials.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.credentials() } }
            return try await group.reduce(into: [AWSCredentials]()) { $0.append($1) }
        }
        #expect(concurrent.allSatisfy { $0 == credentials })
        let disabled = try? CredentialChain.provider(environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"], transport: transport)
        #expect(disabled == nil)
    }
}
