import ArgumentParser
import CutoverAWS
import CutoverCore
import CutoverState
import CutoverSteps
import Foundation

struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Bring up a release of an ECS service on the idle colour, attached to its ALB at weight 0.",
        discussion: """
        Registers the live task definition again with the new image (everything else kept), creates the \
        idle colour's target group with the live group's health check, adds it to the route's forward \
        action at weight 0 (the whole action list kept), creates the ECS service (idempotent), and waits \
        until its PRIMARY deployment is COMPLETED and the group has healthy targets. Rerunning converges.
        """)

    @OptionGroup var selection: UnitSelection
    @OptionGroup var releaseOption: ReleaseOption
    @OptionGroup var aws: AWSOptions
    @OptionGroup var remote: ServerOption
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The container image of the release.", valueName: "image"))
    var image: String

    @Option(help: ArgumentHelp("Seconds to wait for the service to be ready. Default: promotion.health_timeout.", valueName: "seconds"))
    var timeout: Int?

    @Flag(help: "Read everything and print every write it would send; change nothing.")
    var dryRun = false

    func validate() throws {
        guard !image.isEmpty, image.utf8.count <= 255, !image.unicodeScalars.contains(where: { $0.value <= 0x20 }) else {
            throw ValidationError("--image must be an image reference without spaces (repository:tag or @digest)")
        }
    }

    func run() async throws {
        try await remote.forwardIfSet(["provision"], config: selection.config, environment: selection.environment)
        try await reporting(json: output.json) {
            let (config, environment, units) = try selection.resolve(kinds: [.ecs])
            guard !units.isEmpty else {
                throw StepError(code: "usage.kind", message: "provision is for services of kind ecs; use `cutover deploy` for instance fleets", exitStatus: .usage)
            }
            let client = try aws.client(for: environment)
            let provision = { @Sendable (lock: StateLock?) async throws -> [ECSProvisioner.Result] in
                var results: [ECSProvisioner.Result] = []
                for unit in units {
                    guard case .ecs(let deployment) = unit.deployment else { continue }
                    let provisioner = ECSProvisioner(unit: unit, deployment: deployment, release: releaseOption.release, image: image,
                                                     elbv2: ELBv2Client(client: client), ecs: ECSClient(client: client),
                                                     timeoutSeconds: timeout ?? environment.promotion.healthTimeoutSeconds,
                                                     beforeWrite: { try lock?.ensureHeld() }, progress: progressToStderr)
                    progressToStderr("provision \(unit.id): started")
                    results.append(try await provisioner.run(dryRun: dryRun))
                    progressToStderr("provision \(unit.id): done")
                }
                return results
            }
            // The lock keeps provision's route write from racing a promote, rollback or cleanup elsewhere.
            let results = dryRun ? try await provision(nil)
                : try await aws.holdingLock(config, environment, command: "provision", release: releaseOption.release) { try await provision($0) }
            if output.json {
                FileHandle.standardOutput.write(encodeJSON(results) + Data("\n".utf8))
                return
            }
            for result in results {
                print("\(result.unit): release \(releaseOption.release) on \(result.color.rawValue) (service \(result.service), target group \(result.targetGroup))\(result.dryRun ? " — dry run" : ", \(result.healthy) healthy")")
                for write in result.writes { print("  \(result.dryRun ? "would send" : "sent"): \(write)") }
                if result.writes.isEmpty { print("  nothing to change") }
            }
        }
    }
}
