import CutoverSigV4
import Testing

/// `~/.aws/credentials` parsing, with the expectations checked against botocore's
/// `SharedCredentialProvider` (configparser underneath).
@Suite struct SharedCredentialsFileTests {
    static let file = """
        # written by aws configure
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = secret/default+key

        ; a CI role's temporary credentials
        [ci]
        aws_access_key_id=AKIACI
        aws_secret_access_key=ci-secret
        aws_session_token = FwoGZXIvYXdzEBY//token==

        [spaced]
          aws_access_key_id   :   AKIASPACED
          AWS_Secret_Access_Key	=	spaced=secret==

        [profile prod]
        aws_access_key_id = AKIAPROD
        aws_secret_access_key = prod-secret

        [no-secret]
        aws_access_key_id = AKIAHALF

        [legacy]
        aws_access_key_id = AKIALEGACY
        aws_secret_access_key = legacy-secret
        aws_security_token = legacy-token
        aws_session_token = newer-token
        """

    @Test func defaultProfile() {
        #expect(SharedCredentialsFile.credentials(profile: "default", text: Self.file)
            == AWSCredentials(accessKeyID: "AKIADEFAULT", secretAccessKey: "secret/default+key"))
    }

    @Test func namedProfileWithSessionToken() {
        #expect(SharedCredentialsFile.credentials(profile: "ci", text: Self.file)
            == AWSCredentials(accessKeyID: "AKIACI", secretAccessKey: "ci-secret", sessionToken: "FwoGZXIvYXdzEBY//token=="))
    }

    @Test func spacesColonsAndKeyCaseAreConfigparsers() {
        // The first `=` or `:` splits; later ones belong to the value. Keys are case-insensitive.
        #expect(SharedCredentialsFile.credentials(profile: "spaced", text: Self.file)
            == AWSCredentials(accessKeyID: "AKIASPACED", secretAccessKey: "spaced=secret=="))
    }

    @Test func profilePrefixIsNotSpecialInTheCredentialsFile() {
        #expect(SharedCredentialsFile.credentials(profile: "prod", text: Self.file) == nil)
        #expect(SharedCredentialsFile.credentials(profile: "profile prod", text: Self.file)?.accessKeyID == "AKIAPROD")
    }

    @Test func missingProfileOrKeysGiveNil() {
        #expect(SharedCredentialsFile.credentials(profile: "absent", text: Self.file) == nil)
        #expect(SharedCredentialsFile.credentials(profile: "no-secret", text: Self.file) == nil)
        #expect(SharedCredentialsFile.credentials(profile: "default", text: "") == nil)
        #expect(SharedCredentialsFile.credentials(profile: "x", text: "[x]\naws_secret_access_key = s\n") == nil)
        #expect(SharedCredentialsFile.credentials(profile: "x", text: "[x]\naws_access_key_id =\naws_secret_access_key = s\n") == nil)
    }

    @Test func securityTokenWinsOverSessionTokenAsInBotocore() {
        #expect(SharedCredentialsFile.credentials(profile: "legacy", text: Self.file)?.sessionToken == "legacy-token")
    }

    @Test func emptyTokenIsNoToken() {
        let text = "[x]\naws_access_key_id = a\naws_secret_access_key = s\naws_session_token =\n"
        #expect(SharedCredentialsFile.credentials(profile: "x", text: text)?.sessionToken == nil)
    }

    @Test func crlfLineEndings() {
        let text = "[default]\r\naws_access_key_id = AKIA\r\naws_secret_access_key = s\r\n"
        #expect(SharedCredentialsFile.credentials(profile: "default", text: text)
            == AWSCredentials(accessKeyID: "AKIA", secretAccessKey: "s"))
    }

    @Test func defaultSectionIsInheritedByEveryProfile() {
        let text = "[DEFAULT]\naws_secret_access_key = shared\n[a]\naws_access_key_id = AKIAA\n"
        #expect(SharedCredentialsFile.credentials(profile: "a", text: text)
            == AWSCredentials(accessKeyID: "AKIAA", secretAccessKey: "shared"))
    }

    /// configparser raises on these and botocore fails; guessing which value was meant could
    /// sign with the wrong account's keys.
    @Test(arguments: [
        "[x]\naws_access_key_id = a\naws_secret_access_key = s\n[x]\naws_access_key_id = b\n",  // duplicate section
        "[x]\naws_access_key_id = a\naws_access_key_id = b\naws_secret_access_key = s\n",  // duplicate key
        "aws_access_key_id = a\n[x]\naws_access_key_id = a\naws_secret_access_key = s\n",  // key before any section
        "[x]\naws_access_key_id = a\naws_secret_access_key = s\nnot a key value line\n",  // no delimiter
    ])
    func malformedFilesGiveNil(text: String) {
        #expect(SharedCredentialsFile.credentials(profile: "x", text: text) == nil)
    }

    @Test func commentsAreFullLineOnly() {
        // configparser has no inline comments by default: "# x" after a value is part of it.
        let text = "[x]\naws_access_key_id = a # not a comment\n  # indented comment\naws_secret_access_key = s\n"
        #expect(SharedCredentialsFile.credentials(profile: "x", text: text)?.accessKeyID == "a # not a comment")
    }

    @Test func defaultPathHonoursTheEnvironment() {
        #expect(SharedCredentialsFile.defaultPath(environment: ["HOME": "/home/ci"]) == "/home/ci/.aws/credentials")
        #expect(SharedCredentialsFile.defaultPath(environment: ["HOME": "/home/ci", "AWS_SHARED_CREDENTIALS_FILE": "/run/creds"])
            == "/run/creds")
    }
}
