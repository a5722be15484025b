import CutoverHTTP
import Foundation

/// `JenkinsAPI` over the Jenkins REST API: basic auth sent up front, the CSRF crumb fetched once and
/// bound to the web session it came with, retries with backoff on 5xx and dropped connections.
public final class JenkinsRESTClient: JenkinsAPI {
    public let baseURL: URL
    let credentials: JenkinsCredentials?
    let transport: any HTTPTransport
    let retry: RetryPolicy
    let timeout: Duration
    let session = CrumbSession()
    /// Sleeps between retries; tests pass one that records instead of waiting.
    let sleep: @Sendable (Duration) async throws -> Void

    public init(baseURL: URL, credentials: JenkinsCredentials?, transport: any HTTPTransport,
                retry: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(30),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        self.baseURL = URL(string: text) ?? baseURL
        self.credentials = credentials
        self.transport = transport
        self.retry = retry
        self.timeout = timeout
        self.sleep = sleep
    }

    // MARK: JenkinsAPI

    public func config(of path: ItemPath) async throws -> String? {
        let response = try await send("GET", path.urlPath + "config.xml")
        if response.status == 404 { return nil }
        try check(response, "read the configuration of \(path)", path: path.urlPath + "config.xml")
        return response.text
    }

    public func create(_ path: ItemPath, config: String) async throws {
        let target = path.parent.urlPath + "createItem?name=" + ItemPath.encode(path.name)
        let response = try await send("POST", target, body: Data(config.utf8), contentType: "application/xml")
        try check(response, "create \(path)", path: target, notFound: "the folder \(path.parent.isRoot ? "(root)" : path.parent.description) does not exist")
    }

    public func update(_ path: ItemPath, config: String) async throws {
        let target = path.urlPath + "config.xml"
        let response = try await send("POST", target, body: Data(config.utf8), contentType: "application/xml")
        try check(response, "update \(path)", path: target, notFound: "\(path) does not exist")
    }

    public func delete(_ path: ItemPath) async throws {
        let target = path.urlPath + "doDelete"
        let response = try await send("POST", target)
        // Jenkins answers a delete with a redirect to the parent.
        if response.status == 302 || response.status == 303 { return }
        try check(response, "delete \(path)", path: target, notFound: "\(path) does not exist")
    }

    public func children(of folder: ItemPath) async throws -> [ItemSummary]? {
        let target = (folder.isRoot ? "/" : folder.urlPath) + "api/json?tree=jobs%5Bname,_class%5D"
        let response = try await send("GET", target)
        if response.status == 404 { return nil }
        try check(response, "list \(folder.isRoot ? "the root folder" : folder.description)", path: target)
        let object = try json(response, target)
        let jobs = object["jobs"] as? [[String: Any]] ?? []
        return jobs.compactMap { job in
            guard let name = job["name"] as? String else { return nil }
            let className = job["_class"] as? String ?? ""
            let isFolder = className.localizedCaseInsensitiveContains("folder")
            return ItemSummary(path: folder.appending(name), kind: isFolder ? .folder : .job, className: className)
        }
    }

    public func build(_ job: ItemPath, parameters: [(String, String)]) async throws -> Int {
        var target = job.urlPath + (parameters.isEmpty ? "build" : "buildWithParameters")
        if !parameters.isEmpty {
            target += "?" + parameters.map { "\(Self.queryEncode($0.0))=\(Self.queryEncode($0.1))" }.joined(separator: "&")
        }
        let response = try await send("POST", target)
        try check(response, "start a build of \(job)", path: target, notFound: "\(job) does not exist")
        guard let location = response.header("Location"),
              let id = location.split(separator: "/").last(where: { Int($0) != nil }).flatMap({ Int($0) }) else {
            throw JenkinsError(.protocolError, "Jenkins queued a build of \(job) but sent no queue item Location", url: url(target).absoluteString)
        }
        return id
    }

    public func queueItem(_ id: Int) async throws -> QueueState {
        let target = "/queue/item/\(id)/api/json"
        let response = try await send("GET", target)
        try check(response, "read queue item \(id)", path: target,
                  notFound: "queue item \(id) is gone (Jenkins forgets queue items a few minutes after they start)")
        let object = try json(response, target)
        if object["cancelled"] as? Bool == true { return .cancelled }
        if let executable = object["executable"] as? [String: Any], let number = executable["number"] as? Int {
            return .started(number: number, url: executable["url"] as? String ?? "")
        }
        return .waiting(why: object["why"] as? String)
    }

    public func buildInfo(_ job: ItemPath, number: Int?) async throws -> BuildInfo? {
        let target = job.urlPath + (number.map(String.init) ?? "lastBuild") + "/api/json"
        let response = try await send("GET", target)
        if response.status == 404 { return nil }
        try check(response, "read a build of \(job)", path: target)
        let object = try json(response, target)
        guard let number = object["number"] as? Int else {
            throw JenkinsError(.protocolError, "the build answer for \(job) has no number", url: url(target).absoluteString)
        }
        return BuildInfo(number: number, url: object["url"] as? String ?? "", building: object["building"] as? Bool ?? false,
                         result: object["result"] as? String, durationMilliseconds: object["duration"] as? Int ?? 0,
                         timestamp: object["timestamp"] as? Int ?? 0)
    }

    public func console(_ job: ItemPath, number: Int, from offset: Int) async throws -> ConsoleChunk {
        let target = job.urlPath + "\(number)/logText/progressiveText?start=\(offset)"
        let response = try await send("GET", target)
        try check(response, "read the console of \(job) #\(number)", path: target)
        let next = response.header("X-Text-Size").flatMap { Int($0) } ?? offset + response.body.count
        return ConsoleChunk(text: response.text, nextOffset: next, more: response.header("X-More-Data") == "true")
    }

    // MARK: requests

    func url(_ pathAndQuery: String) -> URL {
        URL(string: baseURL.absoluteString + pathAndQuery)!
    }

    /// Sends one logical request: with retries on 5xx and transport failures, and one crumb refresh
    /// when Jenkins says the crumb is no longer valid (it expires with the web session).
    func send(_ method: String, _ pathAndQuery: String, body: Data? = nil, contentType: String? = nil) async throws -> HTTPResponse {
        var refreshedCrumb = false
        return try await retry.run(sleep: sleep) { attempt in
            while true {
                var headers: [(String, String)] = [("Accept", "*/*")]
                if let credentials { headers.append(("Authorization", credentials.authorization)) }
                if method == "POST", let crumb = try await crumb() { headers.append((crumb.field, crumb.value)) }
                if let cookie = await session.cookieHeader { headers.append(("Cookie", cookie)) }
                if let contentType { headers.append(("Content-Type", contentType)) }
                let request = HTTPRequest(method: method, url: url(pathAndQuery), headers: headers, body: body ?? (method == "POST" ? Data() : nil))
                let response: HTTPResponse
                do {
                    response = try await transport.send(request, timeout: timeout)
                } catch let error as TransportError {
                    return .failed(.transport(error.kind),
                                   JenkinsError(.unavailable, "Jenkins did not answer: \(error.kind.rawValue) (\(attempt) attempt\(attempt == 1 ? "" : "s"))",
                                                url: request.url.absoluteString))
                }
                await session.remember(response.headers("Set-Cookie"))
                // Not an attempt that failed: the crumb expired with the web session. Once per request.
                if response.status == 403, method == "POST", !refreshedCrumb, response.text.contains("No valid crumb") {
                    refreshedCrumb = true
                    await session.invalidate()
                    continue
                }
                let outcome = RetryPolicy.Outcome.response(status: response.status, code: nil)
                // Anything not worth retrying (404, 400, ...) is the caller's to read.
                guard RetryPolicy.isRetryable(outcome) else { return .done(response) }
                return .failed(outcome, JenkinsError(.unavailable, "Jenkins kept failing: \(method) answered HTTP \(response.status) \(attempt) times",
                                                     url: request.url.absoluteString, status: response.status))
            }
        }
    }

    /// The crumb to send with POSTs, fetched once; nil when CSRF protection is off (404 from the issuer).
    func crumb() async throws -> (field: String, value: String)? {
        try await session.current { try await self.fetchCrumb() }.crumb
    }

    private func fetchCrumb() async throws -> CrumbSession.State {
        // A GET: `send` retries it and keeps the session cookie the crumb is bound to, without asking
        // for a crumb itself.
        let target = "/crumbIssuer/api/json"
        let response = try await send("GET", target)
        if response.status == 404 { return CrumbSession.State(crumb: nil) }
        try check(response, "fetch a CSRF crumb", path: target)
        let object = try json(response, target)
        guard let field = object["crumbRequestField"] as? String, let value = object["crumb"] as? String else {
            throw JenkinsError(.protocolError, "the crumb issuer answered without crumbRequestField and crumb", url: url(target).absoluteString)
        }
        return CrumbSession.State(crumb: (field, value))
    }

    /// Turns an unwanted status into an error that says what to do about it.
    func check(_ response: HTTPResponse, _ action: String, path: String, notFound: String? = nil) throws {
        let where_ = url(path).absoluteString
        switch response.status {
        case 200..<300:
            return
        case 400:
            let reason = response.header("X-Error") ?? String(response.text.prefix(300))
            throw JenkinsError(.rejected, "Jenkins refused to \(action): \(reason)", url: where_, status: 400)
        case 401:
            throw JenkinsError(.unauthorized, credentials.map {
                "Jenkins rejected the API token of user '\($0.user)' (trying to \(action)): check JENKINS_USER and JENKINS_TOKEN; tokens are made at \(baseURL.absoluteString)/user/\($0.user)/configure"
            } ?? "Jenkins requires a login to \(action): set JENKINS_USER and JENKINS_TOKEN (an API token)", url: where_, status: 401)
        case 403:
            if let credentials {
                throw JenkinsError(.forbidden, "user '\(credentials.user)' is not allowed to \(action): grant it Overall/Read and Job/Read, Create, Configure, Delete and Build on the folder", url: where_, status: 403)
            }
            throw JenkinsError(.forbidden, "Jenkins requires a login to \(action): set JENKINS_USER and JENKINS_TOKEN (an API token)", url: where_, status: 403)
        case 404:
            throw JenkinsError(.notFound, "cannot \(action): \(notFound ?? "not found")", url: where_, status: 404)
        default:
            throw JenkinsError(.protocolError, "unexpected answer while trying to \(action)", url: where_, status: response.status)
        }
    }

    func json(_ response: HTTPResponse, _ path: String) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw JenkinsError(.protocolError, "expected JSON, got: \(response.text.prefix(200))", url: url(path).absoluteString, status: response.status)
        }
        return object
    }

    static func queryEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// The web session the crumb belongs to: Jenkins (since 2.176.2) only accepts a crumb together with the
/// session cookie it was issued with.
actor CrumbSession {
    struct State: Sendable {
        var crumb: (field: String, value: String)?
    }

    private var state: State?
    private var inFlight: Task<State, any Error>?
    private var cookies: [(name: String, value: String)] = []

    var cookieHeader: String? {
        cookies.isEmpty ? nil : cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    /// The current crumb, fetching it once however many requests ask at the same time: two fetches would
    /// leave a crumb from one session next to the cookie of another.
    func current(fetch: @escaping @Sendable () async throws -> State) async throws -> State {
        if let state { return state }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await fetch() }
        inFlight = task
        do {
            let fetched = try await task.value
            state = fetched
            inFlight = nil
            return fetched
        } catch {
            inFlight = nil
            throw error
        }
    }

    func invalidate() {
        guard inFlight == nil else { return }
        state = nil
        cookies.removeAll()
    }

    /// Keeps `name=value` of each Set-Cookie (attributes such as Path and HttpOnly do not matter here).
    func remember(_ setCookies: [String]) {
        for header in setCookies {
            guard let pair = header.split(separator: ";").first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = pair[..<equals].trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: equals)...])
            cookies.removeAll { $0.name == name }
            cookies.append((name, value))
        }
    }
}
