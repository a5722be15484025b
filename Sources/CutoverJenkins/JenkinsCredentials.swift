import Foundation

/// How cutover authenticates to Jenkins: a user and an API token, sent with every request as HTTP basic
/// auth (Jenkins answers 403, not a 401 challenge, so waiting to be asked never works).
public struct JenkinsCredentials: Sendable, Equatable {
    public var user: String
    public var token: String

    public init(user: String, token: String) {
        self.user = user
        self.token = token
    }

    /// From `JENKINS_USER` and `JENKINS_TOKEN`; nil when either is unset (anonymous).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> JenkinsCredentials? {
        guard let user = environment["JENKINS_USER"], !user.isEmpty,
              let token = environment["JENKINS_TOKEN"], !token.isEmpty else { return nil }
        return JenkinsCredentials(user: user, token: token)
    }

    var authorization: String {
        "Basic " + Data("\(user):\(token)".utf8).base64EncodedString()
    }
}
