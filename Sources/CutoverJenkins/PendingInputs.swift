import Foundation

/// A build paused at an `input` step, as Jenkins' Pipeline REST API (pipeline-stage-view's `wfapi`)
/// lists it under `job/X/N/wfapi/pendingInputActions`.
public struct PendingInput: Sendable, Equatable {
    public var job: ItemPath
    public var number: Int
    public var buildURL: String
    /// The input step's id (`inputId`).
    public var id: String
    public var message: String
    /// The OK button's text, when the step sets one.
    public var proceedText: String?
    /// Jenkins' own page for the input (`<build>/input/`): where an approver proceeds or aborts.
    public var inputURL: String
    /// When the build started (milliseconds since 1970, as Jenkins gives it).
    public var buildTimestamp: Int

    public init(job: ItemPath, number: Int, buildURL: String, id: String, message: String, proceedText: String?, inputURL: String,
                buildTimestamp: Int) {
        self.job = job
        self.number = number
        self.buildURL = buildURL
        self.id = id
        self.message = message
        self.proceedText = proceedText
        self.inputURL = inputURL
        self.buildTimestamp = buildTimestamp
    }
}

/// The read the status page needs from Jenkins: which builds of a job wait at an approval gate.
public protocol ApprovalReader: Sendable {
    /// Every pending input of the job's running builds (newest build first); empty when the job has
    /// none or does not exist.
    func pendingInputs(of job: ItemPath) async throws -> [PendingInput]
}

extension JenkinsRESTClient: ApprovalReader {
    /// The job's ten newest builds (`api/json?tree=builds[…]{0,10}`), then `wfapi/pendingInputActions`
    /// of each one still running. A Jenkins without the Pipeline REST API plugin answers 404 there:
    /// then nothing is pending as far as we can tell, and the caller says so.
    public func pendingInputs(of job: ItemPath) async throws -> [PendingInput] {
        let list = job.urlPath + "api/json?tree=builds%5Bnumber,url,building,timestamp%5D%7B0,10%7D"
        let response = try await send("GET", list)
        if response.status == 404 { return [] }
        try check(response, "list the builds of \(job)", path: list)
        let builds = (try json(response, list)["builds"] as? [[String: Any]] ?? []).filter { $0["building"] as? Bool == true }
        var pending: [PendingInput] = []
        for build in builds {
            guard let number = build["number"] as? Int else { continue }
            let target = job.urlPath + "\(number)/wfapi/pendingInputActions"
            let answer = try await send("GET", target)
            if answer.status == 404 {
                throw JenkinsError(.notFound, "Jenkins has no \(target): install the Pipeline: Stage View plugin (its REST API lists pending inputs)",
                                   url: url(target).absoluteString, status: 404)
            }
            try check(answer, "read the pending inputs of \(job) #\(number)", path: target)
            guard let actions = try? JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]] else {
                throw JenkinsError(.protocolError, "expected a JSON list of pending inputs, got: \(answer.text.prefix(200))", url: url(target).absoluteString)
            }
            let buildURL = build["url"] as? String ?? url(job.urlPath + "\(number)/").absoluteString
            for action in actions {
                // redirectApprovalUrl is a path from the server root (`/jenkins/job/…/input/`).
                let input = (action["redirectApprovalUrl"] as? String).map { absolute($0) } ?? buildURL + "input/"
                pending.append(PendingInput(job: job, number: number, buildURL: buildURL, id: action["id"] as? String ?? "",
                                            message: action["message"] as? String ?? "", proceedText: action["proceedText"] as? String,
                                            inputURL: input, buildTimestamp: build["timestamp"] as? Int ?? 0))
            }
        }
        return pending
    }

    /// A root-relative path Jenkins gives (it includes the context path) made absolute on our host.
    private func absolute(_ path: String) -> String {
        guard path.hasPrefix("/"), var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) else { return path }
        components.path = ""
        components.query = nil
        return (components.url?.absoluteString ?? "") + path
    }
}
