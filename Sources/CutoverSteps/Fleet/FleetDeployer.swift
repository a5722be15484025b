import CutoverAWS
import CutoverCore
import CutoverRender
import Foundation

/// Deploys a release of one instance-fleet unit onto the hosts of the colour taking no traffic: finds
/// them, runs `ansible-playbook` (the user's playbook, or cutover's rendered one) with the release as
/// extra vars, streams its output with the unit as prefix, reads the per-host result, then makes the
/// colour's target group hold exactly those hosts and waits until every one is healthy.
public struct FleetDeployer: Sendable {
    public var unit: DeployUnit
    public var deployment: AnsibleDeployment
    public var release: String
    public var artifact: String
    public var discovery: HostDiscovery
    public var elbv2: ELBv2Client
    public var rds: RDSClient?
    public var database: Database?
    public var templates: TemplateSet
    public var timeoutSeconds: Int
    public var pollInterval: Duration
    public var forks: Int
    public var output: @Sendable (String) -> Void
    /// Called before the target group is changed: the environment lock must still be held.
    public var beforeWrite: @Sendable () throws -> Void = {}

    public init(unit: DeployUnit, deployment: AnsibleDeployment, release: String, artifact: String, discovery: HostDiscovery,
                elbv2: ELBv2Client, rds: RDSClient?, database: Database?, templates: TemplateSet, timeoutSeconds: Int,
                pollInterval: Duration = .seconds(2), forks: Int = 20, output: @escaping @Sendable (String) -> Void) {
        self.unit = unit
        self.deployment = deployment
        self.release = release
        self.artifact = artifact
        self.discovery = discovery
        self.elbv2 = elbv2
        self.rds = rds
        self.database = database
        self.templates = templates
        self.timeoutSeconds = timeoutSeconds
        self.pollInterval = pollInterval
        self.forks = forks
        self.output = output
    }

    public struct Result: Sendable, Codable {
        public var unit: String
        public var color: Color
        public var targetGroup: String
        public var hosts: [String: AnsibleResult.HostResult]
        public var registered: [Target]
        public var deregistered: [Target]
        public var healthy: Int
        public var dryRun: Bool
        /// Seconds spent in Ansible, registration and the health wait (bench/fleet.py reads them).
        public var seconds: [String: Double]
    }

    var prefix: String { "[\(unit.id)] " }

    public func run(dryRun: Bool) async throws -> Result {
        var seconds: [String: Double] = [:]
        let router = ALBTrafficRouter(elbv2: elbv2)
        let traffic = try await UnitTraffic.read(unit, router: router)
        // Refuses a split (both colours serve requests) before any host is touched.
        let color = try traffic.colorForNewRelease(release)
        guard let group = traffic.groups[color] else {
            throw StepError(code: "deploy.no-target-group", message: "\(unit.id): the \(color.rawValue) target group \(unit.targetGroupName(color)) does not exist\nhint: an instance fleet deploys into a fixed pair of target groups; create it")
        }
        let hosts = try await discovery.hosts(color)
        guard !hosts.isEmpty else {
            throw StepError(code: "deploy.no-hosts", message: "\(unit.id): no \(color.rawValue) hosts found (\(discovery.inventoryPath.map { "group \(color.rawValue) of \($0)" } ?? "running EC2 instances tagged \(Tag.service)=\(unit.service), \(Tag.color)=\(color.rawValue)\(unit.sport.map { ", cutover:sport=\($0)" } ?? "")"))")
        }
        output(prefix + "release \(release) onto \(color.rawValue): \(hosts.map(\.name).joined(separator: ", "))")

        let start = Date()
        let result = try await runAnsible(hosts: hosts, color: color, check: dryRun)
        seconds["ansible"] = Date().timeIntervalSince(start)
        let problems = result.problems
        guard problems.isEmpty else {
            throw StepError(code: "deploy.ansible", message: "\(unit.id): the playbook failed on \(problems.count) of \(hosts.count) hosts:\n  " + problems.joined(separator: "\n  "))
        }

        // The target group holds exactly the colour's hosts.
        let registrationStart = Date()
        let wanted = Set(hosts.map(\.target))
        let current = try await elbv2.describeTargetHealth(targetGroupARN: group.arn)
        let present = Set(current.filter { $0.state != "draining" }.map(\.target))
        let register = wanted.subtracting(present).sorted { $0.id < $1.id }
        let deregister = present.subtracting(wanted).sorted { $0.id < $1.id }
        for target in register { output(prefix + "\(dryRun ? "would register" : "register") \(target.id):\(target.port.map(String.init) ?? "") in \(group.name)") }
        for target in deregister { output(prefix + "\(dryRun ? "would deregister" : "deregister") \(target.id):\(target.port.map(String.init) ?? "") from \(group.name)") }
        var healthy = 0
        if !dryRun {
            try beforeWrite()
            try await elbv2.registerTargets(targetGroupARN: group.arn, targets: register)
            try await elbv2.deregisterTargets(targetGroupARN: group.arn, targets: deregister)
            try await elbv2.addTags(arns: [group.arn], tags: [(Tag.release, release), (Tag.service, unit.id), (Tag.color, color.rawValue)])
            seconds["registration"] = Date().timeIntervalSince(registrationStart)
            let waitStart = Date()
            healthy = try await waitUntilHealthy(group: group, targets: wanted)
            seconds["health_wait"] = Date().timeIntervalSince(waitStart)
        }
        return Result(unit: unit.id, color: color, targetGroup: group.name, hosts: result.hosts, registered: register,
                      deregistered: deregister, healthy: healthy, dryRun: dryRun, seconds: seconds)
    }

    /// Renders or picks the playbook, writes inventory and extra vars, runs ansible-playbook.
    func runAnsible(hosts: [FleetHost], color: Color, check: Bool) async throws -> AnsibleResult {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("callbacks"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let playbook: String
        if let own = deployment.playbook {
            playbook = own.hasPrefix("/") ? own : discovery.baseDirectory.appendingPathComponent(own).path
            guard FileManager.default.fileExists(atPath: playbook) else {
                throw StepError(code: "deploy.playbook", message: "the playbook \(playbook) of \(unit.id) does not exist\nhint: fix `playbook:` (relative to the config file), or remove it to use cutover's \(deployment.template) playbook")
            }
        } else {
            playbook = work.appendingPathComponent("\(deployment.template).yml").path
            let text = try PlaybookRenderer.render(deployment.template, templates: templates, service: unit.service,
                                                   hosts: color.rawValue, healthPath: deployment.healthPath)
            try text.write(toFile: playbook, atomically: true, encoding: .utf8)
        }
        let inventory: String
        if let path = discovery.inventoryPath {
            inventory = path
        } else {
            inventory = work.appendingPathComponent("inventory.yml").path
            try HostDiscovery.inventory(hosts, color: color).write(toFile: inventory, atomically: true, encoding: .utf8)
        }
        let variablesFile = work.appendingPathComponent("vars.json")
        try await extraVariables(color: color).encoded(pretty: true).write(to: variablesFile)
        let callback = work.appendingPathComponent("callbacks/cutover_result.py")
        try (PlaybookRenderer.resource("ansible/cutover_result.py") ?? "").write(to: callback, atomically: true, encoding: .utf8)
        let resultFile = work.appendingPathComponent("result.json")

        var arguments = ["-i", inventory, playbook, "-e", "@\(variablesFile.path)", "--limit", hosts.map(\.name).joined(separator: ","),
                         "--forks", String(max(1, min(forks, hosts.count)))]
        if check { arguments += ["--check", "--diff"] }
        let environment = [
            "ANSIBLE_CALLBACK_PLUGINS": callback.deletingLastPathComponent().path, "ANSIBLE_CALLBACKS_ENABLED": "cutover_result",
            "CUTOVER_ANSIBLE_RESULT": resultFile.path, "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0", "PYTHONUNBUFFERED": "1",
        ]
        let prefix = self.prefix
        let output = self.output
        let status = try await ProcessRunner.stream("ansible-playbook", arguments, environment: environment) { line in
            if !line.isEmpty { output(prefix + line) }
        }
        guard let result = AnsibleResult.read(resultFile) else {
            throw StepError(code: "deploy.ansible", message: "\(unit.id): ansible-playbook exited \(status) without a result (the playbook or inventory could not be read; its output is above)")
        }
        if status != 0 && result.problems.isEmpty {
            throw StepError(code: "deploy.ansible", message: "\(unit.id): ansible-playbook exited \(status)\(result.complete ? "" : " before the end of the run")")
        }
        return result
    }

    /// The extra vars, every string marked `__ansible_unsafe` so Ansible never evaluates Jinja in them.
    func extraVariables(color: Color) async throws -> JSONValue {
        func unsafe(_ text: String) -> JSONValue { ["__ansible_unsafe": .string(text)] }
        let artifactPath = artifact.hasPrefix("/") ? artifact : FileManager.default.currentDirectoryPath + "/" + artifact
        var variables: [String: JSONValue] = [
            "cutover_service": unsafe(unit.service), "cutover_release": unsafe(release),
            "cutover_artifact": unsafe(artifactPath), "cutover_color": unsafe(color.rawValue),
        ]
        if let sport = unit.sport { variables["cutover_sport"] = unsafe(sport) }
        // The config's connection settings hold for every host, over anything an inventory says.
        for (name, value) in deployment.connection.variables { variables[name] = unsafe(value) }
        for variable in deployment.variables {
            variables["cutover_\(variable.name)"] = variable.isList ? .array(variable.values.map(unsafe)) : unsafe(variable.values.first ?? "")
        }
        // The Frontend reads from Aurora's reader endpoint, resolved from the cluster at deploy time.
        if deployment.template == "frontend", deployment.playbook == nil, variables["cutover_database_reader_endpoint"] == nil,
           let database, let rds {
            let cluster = try await rds.describeCluster(identifier: database.cluster)
            variables["cutover_database_reader_endpoint"] = unsafe(cluster.readerEndpoint ?? cluster.endpoint ?? "")
        }
        return .object(variables)
    }

    /// Waits until every wanted target is healthy; on timeout names each target's state and reason.
    func waitUntilHealthy(group: TargetGroupInfo, targets: Set<Target>) async throws -> Int {
        let deadline = Date().addingTimeInterval(Double(timeoutSeconds))
        var last = ""
        var reported = Date.distantPast
        while true {
            let health = try await elbv2.describeTargetHealth(targetGroupARN: group.arn).filter { targets.contains($0.target) }
            let healthy = health.filter(\.isHealthy).count
            let line = "\(healthy) of \(targets.count) targets healthy in \(group.name)"
            // On every change, and at least every 10 s: a console that goes quiet looks hung.
            if line != last || Date().timeIntervalSince(reported) >= 10 {
                output(prefix + line + " (waiting up to \(max(0, Int(deadline.timeIntervalSinceNow.rounded(.up))))s more)")
                last = line
                reported = Date()
            }
            if healthy == targets.count { return healthy }
            if Date() >= deadline {
                let states = health.filter { !$0.isHealthy }.map(\.summary)
                throw StepError(code: "deploy.unhealthy", message: "\(unit.id): \(line) after \(timeoutSeconds)s:\n  " + states.joined(separator: "\n  "))
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}
