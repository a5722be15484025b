/// An AWS access key pair, optionally with the session token of temporary credentials.
///
/// `description`, `debugDescription` and the reflection mirror never show the secret key or
/// the token, so a credentials value (or anything holding one, like `SigV4Signer`) can be
/// logged or `dump`ed without leaking it. The access key ID is shown masked the way
/// `aws configure list` does, enough to tell keys apart.
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The access key ID with all but its last four characters masked.
    var maskedAccessKeyID: String {
        accessKeyID.count <= 4 ? String(repeating: "*", count: accessKeyID.count)
            : String(repeating: "*", count: accessKeyID.count - 4) + accessKeyID.suffix(4)
    }
}

extension AWSCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "AWSCredentials(accessKeyID: \(maskedAccessKeyID), secretAccessKey: <redacted>, sessionToken: "
            + (sessionToken == nil ? "nil)" : "<redacted>)")
    }

    public var debugDescription: String { description }

    /// Without this, `dump(credentials)` would walk the stored properties and print the secret.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessKeyID": maskedAccessKeyID,
            "secretAccessKey": "<redacted>",
            "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
        ], displayStyle: .struct)
    }
}
