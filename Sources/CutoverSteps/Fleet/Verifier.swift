import CutoverAWS
import CutoverCore
import CutoverHTTP
import Foundation

/// Checks a release before the manual gate: its target group all healthy, the release really running
/// (the ECS service of its colour carries it and finished deploying; each host reports it on its health
/// endpoint), and the smoke checks from the config against every target. A tree of [OK]/[FAIL]/[SKIP].
public struct Verifier: Sendable {
    public var unit: DeployUnit
    public var release: String
    public var elbv2: ELBv2Client
    public var ecs: ECSClient
    public var ec2: EC2Client
    public var http: any HTTPTransport
    /// Where a fleet's hosts are reached (the inventory or EC2): checks go to each host's address.
    public var discovery: HostDiscovery?

    public init(unit: DeployUnit, release: String, elbv2: ELBv2Client, ecs: ECSClient, ec2: EC2Client, http: any HTTPTransport,
                discovery: HostDiscovery?) {
        self.discovery = discovery
        self.unit = unit
        self.release = release
        self.elbv2 = elbv2
        self.ecs = ecs
        self.ec2 = ec2
        self.http = http
    }

    public struct Check: Sendable, Codable, Equatable {
        /// `OK`, `FAIL` or `SKIP`.
        public var result: String
        public var name: String
        public var detail: String?
    }

    public struct Report: Sendable, Codable, Equatable {
        public var unit: String
        public var color: Color?
        public var checks: [Check]
        public var ok: Bool { !checks.contains { $0.result == "FAIL" } }
    }

    public func run() async throws -> Report {
        var checks: [Check] = []
        func add(_ ok: Bool, _ name: String, _ detail: String? = nil) { checks.append(Check(result: ok ? "OK" : "FAIL", name: name, detail: detail)) }
        let traffic = try await UnitTraffic.read(unit, router: ALBTrafficRouter(elbv2: elbv2))
        guard let color = traffic.color(of: release), let group = traffic.groups[color] else {
            add(false, "release \(release) is on a target group", "neither \(unit.targetGroupName(.blue)) nor \(unit.targetGroupName(.green)) is tagged \(Tag.release)=\(release)")
            return Report(unit: unit.id, color: nil, checks: checks)
        }
        add(true, "release \(release) is on \(color.rawValue) (\(group.name))")
        let health = try await elbv2.describeTargetHealth(targetGroupARN: group.arn)
        let healthy = health.filter(\.isHealthy).count
        let unhealthy = health.filter { !$0.isHealthy }.map(\.summary)
        add(!health.isEmpty && healthy == health.count, "\(healthy) of \(health.count) targets healthy",
            unhealthy.isEmpty ? nil : unhealthy.joined(separator: ", "))

        // Where each check goes: a fleet's hosts at their inventory or instance address; ECS tasks at
        // their IP target.
        var endpoints: [(address: String, port: Int)] = health.map { ($0.target.id, $0.target.port ?? 80) }
        switch unit.deployment {
        case .ecs(let deployment):
            let name = deployment.serviceName(color)
            let service = try await ecs.describeServices(cluster: deployment.cluster, names: [name]).first
            let tags = (service?["tags"]?.array ?? []).reduce(into: [String: String]()) { $0[$1["key"]?.string ?? ""] = $1["value"]?.string }
            add(tags[Tag.release] == release, "ECS service \(name) runs release \(release)", tags[Tag.release].map { "it is tagged \($0)" } ?? (service == nil ? "the service does not exist" : "untagged"))
            let primary = service?["deployments"]?.array?.first { $0["status"]?.string == "PRIMARY" }
            let rollout = primary?["rolloutState"]?.string ?? "none"
            add(rollout == "COMPLETED" && primary?["taskDefinition"]?.string == service?["taskDefinition"]?.string,
                "its PRIMARY deployment completed", "rollout \(rollout)")
        case .ansible(let deployment):
            let hosts = try await discovery?.hosts(color) ?? []
            endpoints = hosts.map { ($0.address, $0.target.port ?? deployment.port) }
            let registered = Set(health.map(\.target))
            for host in hosts where !registered.contains(host.target) {
                add(false, "\(host.name) is registered in \(group.name)", "target \(host.target.id):\(host.target.port.map(String.init) ?? "") is not")
            }
            for endpoint in endpoints {
                let url = "http://\(Self.host(endpoint.address)):\(endpoint.port)\(deployment.healthPath)"
                do {
                    let response = try await get(url, timeout: 5)
                    let reported = (try? JSONValue.decode(response.body))?["release"]?.string
                    add(response.status == 200 && reported == release, "\(endpoint.address):\(endpoint.port) reports release \(release)",
                        "GET \(url) -> \(response.status)\(reported.map { ", release \($0)" } ?? "")")
                } catch {
                    add(false, "\(endpoint.address):\(endpoint.port) reports release \(release)", "GET \(url): \(error)")
                }
            }
        }
        if unit.smoke.isEmpty {
            checks.append(Check(result: "SKIP", name: "smoke checks", detail: "none configured (`smoke:` in the config)"))
        }
        for smoke in unit.smoke {
            for endpoint in endpoints {
                let url = "http://\(Self.host(endpoint.address)):\(endpoint.port)\(smoke.path)"
                do {
                    let response = try await get(url, timeout: smoke.timeoutSeconds)
                    add(response.status == smoke.status, "smoke GET \(smoke.path) -> \(smoke.status) on \(endpoint.address):\(endpoint.port)", "got \(response.status)")
                } catch {
                    add(false, "smoke GET \(smoke.path) -> \(smoke.status) on \(endpoint.address):\(endpoint.port)", "\(error)")
                }
            }
        }
        return Report(unit: unit.id, color: color, checks: checks)
    }

    func get(_ url: String, timeout: Int) async throws -> HTTPResponse {
        guard let target = URL(string: url) else { throw StepError(code: "verify.url", message: "not a URL: \(url)") }
        return try await http.send(HTTPRequest(method: "GET", url: target), timeout: .seconds(timeout))
    }

    static func host(_ address: String) -> String {
        address.contains(":") && !address.hasPrefix("[") ? "[\(address)]" : address
    }
}
