import Foundation

/// Who a journal entry is from: the Jenkins build the command ran in, and the user. Read from the
/// environment Jenkins gives every `sh` step (`BUILD_URL`, `BUILD_NUMBER`; `BUILD_USER_ID` with the
/// build-user-vars plugin), else the login name. Never a credential: only names and URLs.
public struct JournalSigner: Sendable, Equatable {
    public var user: String?
    public var build: String?
    public var buildNumber: String?

    public init(user: String?, build: String?, buildNumber: String?) {
        self.user = user
        self.build = build
        self.buildNumber = buildNumber
    }

    public static var current: JournalSigner { from(ProcessInfo.processInfo.environment) }

    public static func from(_ environment: [String: String]) -> JournalSigner {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        return JournalSigner(user: value("BUILD_USER_ID") ?? value("USER") ?? value("LOGNAME"), build: value("BUILD_URL"),
                             buildNumber: value("BUILD_NUMBER"))
    }
}
