import ArgumentParser
import CutoverAWS
import CutoverCore
import CutoverRender
import CutoverState
import CutoverSteps
import Foundation

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a release of an instance fleet with Ansible onto the idle colour, then register and wait for health.",
        discussion: """
        Finds the hosts of the colour taking no traffic (the config's static inventory, group `blue` or \
        `green`, or running EC2 instances tagged cutover:service, cutover:color and cutover:sport), runs \
        ansible-playbook (the service's own playbook, or cutover's rendered from templates/ansible) with the \
        release, artifact, colour and sport as extra vars, streaming its output prefixed with the unit. Any \
        failed or unreachable host fails the step, named. Then the colour's target group is made to hold \
        exactly those hosts and every one must become healthy. A fan-out service deploys every sport in \
        parallel unless --sport picks one. --dry-run runs Ansible in check mode and prints the registrations.

        SIGINT, SIGTERM (a Jenkins abort) and SIGHUP are passed on to every ansible-playbook run; after 10 s \
        what is left is killed, and deploy exits 128 + the signal number.
        """)

    @OptionGroup var selection: UnitSelection
    @OptionGroup var releaseOption: ReleaseOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var remote: ServerOption
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The artifact to install (a .tar.gz on this machine).", valueName: "path"))
    var artifact: String

    @Option(help: ArgumentHelp("Units deployed at once (sports of a fan-out service).", valueName: "n"))
    var parallel = 4

    @Option(help: ArgumentHelp("Seconds to wait for the targets to be healthy. Default: promotion.health_timeout.", valueName: "seconds"))
    var timeout: Int?

    @Option(help: ArgumentHelp("Override templates (ansible/<name>.yml.mustache) from this directory.", valueName: "dir"))
    var templates: String?

    @Flag(help: "Run Ansible in check mode and print the planned registrations; change nothing.")
    var dryRun = false

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    func run() async throws {
        try await remote.forwardIfSet(["deploy"], config: selection.config, environment: selection.environment)
        ChildProcessGroups.forwardSignals(log: progressToStderr)
        defer { ChildProcessGroups.waitIfStopping() }
        try await reporting(json: output.json) {
            let (config, environment, units) = try selection.resolve(kinds: [.instances])
            guard !units.isEmpty else {
                throw StepError(code: "usage.kind", message: "deploy is for services of kind instances; use `cutover provision` for ECS services", exitStatus: .usage)
            }
            guard FileManager.default.fileExists(atPath: artifact) else {
                throw StepError(code: "deploy.artifact", message: "the artifact \(artifact) does not exist on this machine", exitStatus: .usage)
            }
            let templateSet = try templates.map { try TemplateSet(overrides: $0) } ?? TemplateSet()
            let client = try aws.client(for: environment)
            let base = URL(fileURLWithPath: config.path).deletingLastPathComponent()
            let release = releaseOption.release
            let timeout = self.timeout ?? environment.promotion.healthTimeoutSeconds
            let dryRun = self.dryRun
            let artifact = self.artifact
            let parallel = self.parallel
            let deploy = { @Sendable (lock: StateLock?) async -> ([FleetDeployer], [Result<FleetDeployer.Result, any Error>]) in
                let deployers = units.compactMap { unit -> FleetDeployer? in
                    guard case .ansible(let deployment) = unit.deployment else { return nil }
                    var deployer = FleetDeployer(unit: unit, deployment: deployment, release: release, artifact: artifact,
                                                 discovery: HostDiscovery(unit: unit, deployment: deployment, baseDirectory: base, ec2: EC2Client(client: client)),
                                                 elbv2: ELBv2Client(client: client), rds: RDSClient(client: client), database: environment.database,
                                                 templates: templateSet, timeoutSeconds: timeout, output: progressToStderr)
                    deployer.beforeWrite = { try lock?.ensureHeld() }
                    return deployer
                }
                if let lock {
                    ChildProcessGroups.beforeExit {
                        // A signal ends deploy with exit(); give the lock back first (bounded: never hang the exit).
                        let done = DispatchSemaphore(value: 0)
                        Task { try? await lock.release(); done.signal() }
                        _ = done.wait(timeout: .now() + 5)
                    }
                }
                // Bounded parallelism; each unit's outcome is kept so one failing sport names itself and the
                // others still finish.
                let outcomes = await boundedMap(deployers, limit: parallel) { deployer -> Result<FleetDeployer.Result, any Error> in
                    progressToStderr("deploy \(deployer.unit.id): started")
                    do {
                        let result = try await deployer.run(dryRun: dryRun)
                        progressToStderr("deploy \(deployer.unit.id): done")
                        return .success(result)
                    } catch {
                        progressToStderr("deploy \(deployer.unit.id): failed")
                        return .failure(error)
                    }
                }
                return (deployers, outcomes)
            }
            // The environment's lock, held from the colour choice to the last registration: no promote,
            // rollback or other deploy can move traffic onto the colour while its hosts are replaced.
            let (deployers, outcomes) = dryRun ? await deploy(nil)
                : try await aws.holdingLock(config, environment, command: "deploy", release: release,
                                          outcome: { $0.1.allSatisfy { (try? $0.get()) != nil } ? "done" : "failed" }) { await deploy($0) }
            let succeeded = outcomes.compactMap { try? $0.get() }
            let failures = zip(deployers, outcomes).compactMap { deployer, outcome -> String? in
                // Each unit's own code stays visible (deploy.host-tag, release.split...) under deploy.failed.
                guard case .failure(let error) = outcome else { return nil }
                if let error = error as? any CutoverError { return "\(deployer.unit.id) [\(error.code)]: \(error)" }
                return "\(deployer.unit.id): \(error)"
            }
            if output.json {
                FileHandle.standardOutput.write(encodeJSON(succeeded) + Data("\n".utf8))
            } else {
                for result in succeeded {
                    let hosts = result.hosts.keys.sorted().map { name in
                        let host = result.hosts[name]!
                        return "\(name) ok=\(host.ok) changed=\(host.changed)"
                    }
                    print("\(result.unit): release \(release) on \(result.color.rawValue)\(result.dryRun ? " (check mode)" : ", \(result.healthy) healthy in \(result.targetGroup)")")
                    print("  hosts: \(hosts.joined(separator: ", "))")
                    if !result.registered.isEmpty || !result.deregistered.isEmpty {
                        print("  \(result.dryRun ? "would register" : "registered") \(result.registered.count), \(result.dryRun ? "would deregister" : "deregistered") \(result.deregistered.count)")
                    }
                }
            }
            if !failures.isEmpty {
                throw StepError(code: "deploy.failed", message: "\(failures.count) of \(deployers.count) units failed:\n" + failures.joined(separator: "\n"))
            }
        }
    }
}
