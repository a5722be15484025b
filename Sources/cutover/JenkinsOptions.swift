import ArgumentParser
import CutoverCore
import CutoverHTTP
import CutoverJenkins
import Foundation

/// How to reach Jenkins: `--url`, else `JENKINS_URL`, else the config's `jenkins.url`; credentials from
/// `JENKINS_USER` and `JENKINS_TOKEN` (never from a file or an argument, so they stay out of shell history).
struct JenkinsOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Jenkins base URL. Default: $JENKINS_URL, else jenkins.url from the config.", valueName: "url"))
    var url: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for one Jenkins request before retrying.", valueName: "seconds"))
    var timeout: Int = 30

    func client(config: Config?) throws -> JenkinsRESTClient {
        let environment = ProcessInfo.processInfo.environment
        let text = url ?? environment["JENKINS_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? config?.jenkins.url
        guard let text else {
            throw JenkinsError(.notConfigured, "no Jenkins URL: pass --url, set JENKINS_URL, or set jenkins.url in the config")
        }
        guard let base = URL(string: text), let scheme = base.scheme, ["http", "https"].contains(scheme), base.host != nil else {
            throw JenkinsError(.notConfigured, "\(text) is not an http(s) URL of a Jenkins server")
        }
        return JenkinsRESTClient(baseURL: base, credentials: JenkinsCredentials.fromEnvironment(environment),
                                 transport: AsyncHTTPTransport(), timeout: .seconds(max(1, timeout)))
    }
}
