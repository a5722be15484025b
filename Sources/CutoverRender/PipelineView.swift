import CutoverCore

/// What a pipeline template sees. Field names are the template contract documented in
/// templates/README.md: every value is plain text, escaped by the template's CONTENT_TYPE when inserted.
struct PipelineView {
    struct Parameter {
        var name: String
        var defaultValue: String
        var description: String
    }

    struct Variable {
        var name: String
        var value: String
    }

    struct Git {
        var url: String
        var branch: String
        var credential: String?
    }

    /// A shell step. A struct rather than a bare string so that templates can push it as the context
    /// of the `partials/sh-aws` partial, which wraps `{{command}}` in the AWS credential binding.
    struct Step {
        var command: String
    }

    /// One deployable unit's stage: its name and the cutover command each pipeline runs for it.
    struct Unit {
        var id: String
        var service: String
        var sport: String?
        var kind: String
        var green: Step
        var verify: Step
    }

    var system: String
    var environment: String
    var configPath: String
    var pipeline: String
    var summary: String
    var agentLabel: String?
    var keepBuilds: Int
    var lock: String
    var parameters: [Parameter]
    var variables: [Variable]
    var source: Git
    var awsCredential: String?
    /// The units as the templates see them (`Unit.fields` each). Built once per environment and shared
    /// by its four pipelines: with thousands of units it is most of the work of building a view.
    var units: TemplateValue
    var approvers: String
    /// Parameters a pipeline hands on to the next one (`build job:`), by name.
    var releaseParameters: [Parameter]
    var database: DatabaseView?
    var commands: Commands

    struct DatabaseView {
        var credential: String
        var repository: Git
        var checkoutDir: String
    }

    /// Whole-environment commands (not per unit).
    struct Commands {
        var validate: Step
        var lint: Step
        var migrate: Step
        var plan: Step
        var promotePreflight: Step
        /// One command moves every group, in parallel and all or nothing (`cutover promote`).
        var promote: Step
        /// One command restores every group, each independently (`cutover rollback`).
        var rollback: Step
        var expectGreen: Step
        var expectBlue: Step
        var rollbackAll: Step
    }
}

/// Builds the template views from the validated config: the one place that decides which cutover
/// command each stage runs.
struct PipelineViewBuilder {
    let config: Config
    let environment: Environment
    private let units: TemplateValue

    init(config: Config, environment: Environment) {
        self.config = config
        self.environment = environment
        units = .objects(environment.units.map { Self.unitView($0, binary: config.jenkins.binary).fields })
    }

    static let planFile = "cutover-plan.txt"
    static let migrationLockTimeout = "5s"
    static let migrationsCheckout = "migrations-src"

    func view(for kind: PipelineKind) -> PipelineView {
        let release = PipelineView.Parameter(name: "RELEASE", defaultValue: "",
                                             description: "Release id, e.g. 2026.11.28-1 (letters, digits, '.', '_', '-').")
        let releaseParameters = [release] + artifactParameters
        var parameters: [PipelineView.Parameter]
        switch kind {
        case .dbMigration:
            parameters = releaseParameters + [PipelineView.Parameter(
                name: "MIGRATIONS_REF", defaultValue: environment.database?.repository.branch ?? "main",
                description: "Branch or tag of the migrations repository to apply.")]
        case .serviceDeploy:
            parameters = releaseParameters
        case .promote:
            parameters = [release]
        case .rollback:
            parameters = [release, PipelineView.Parameter(name: "REASON", defaultValue: "manual rollback",
                                                          description: "Why traffic goes back to blue; kept in the release journal.")]
        }
        let lockScope = kind == .promote || kind == .rollback ? "traffic" : kind == .dbMigration ? "database" : "deploy"
        var variables = [
            PipelineView.Variable(name: "CUTOVER_CONFIG", value: config.jenkins.configPath),
            PipelineView.Variable(name: "CUTOVER_ENV", value: environment.name),
        ]
        if kind == .dbMigration, let database = environment.database {
            variables.append(PipelineView.Variable(name: "MIGRATIONS_DIR",
                                                   value: "\(Self.migrationsCheckout)/\(database.migrations)"))
        }
        return PipelineView(
            system: config.name, environment: environment.name, configPath: config.path, pipeline: kind.jobName,
            summary: kind.summary,
            agentLabel: environment.agent == "any" ? nil : environment.agent,
            keepBuilds: config.jenkins.keepBuilds,
            // One lock name per system, environment and scope: promote and rollback share "traffic",
            // so Jenkins never runs them at the same time.
            lock: "cutover-\(config.name)-\(environment.name)-\(lockScope)",
            parameters: parameters, variables: variables,
            source: git(config.jenkins.source), awsCredential: environment.credentials.aws,
            units: units,
            approvers: environment.approvers.joined(separator: ","),
            releaseParameters: releaseParameters,
            database: environment.database.map {
                PipelineView.DatabaseView(credential: $0.credential, repository: git($0.repository),
                                          checkoutDir: Self.migrationsCheckout)
            },
            commands: commands)
    }

    /// One parameter per service that ships something: an image for ECS, an artifact for instances.
    var artifactParameters: [PipelineView.Parameter] {
        environment.services.map { service in
            PipelineView.Parameter(
                name: Self.artifactParameter(service: service.name, kind: service.kind),
                defaultValue: "",
                description: service.kind == .ecs
                    ? "Container image for \(service.name), e.g. registry/\(service.name):TAG."
                    : "Artifact (package URL or path) for \(service.name).")
        }
    }

    /// `IMAGE_EVENT_MANAGEMENT`, `ARTIFACT_FRONTEND`. Always an identifier, whatever the service name:
    /// it is written unquoted as a Groovy property and a shell variable name.
    static func artifactParameter(service: String, kind: ServiceKind) -> String {
        (kind == .ecs ? "IMAGE_" : "ARTIFACT_") + String(service.uppercased().unicodeScalars.map {
            ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") ? Character($0) : "_"
        })
    }

    static func unitView(_ unit: DeployUnit, binary: String) -> PipelineView.Unit {
        func cutover(_ words: [ShellCommand.Word]) -> ShellCommand { ShellCommand([.literal(binary)] + words) }
        func step(_ command: ShellCommand) -> PipelineView.Step { PipelineView.Step(command: command.text) }
        let target: [ShellCommand.Word] = ["--service", .literal(unit.service)]
            + (unit.sport.map { ["--sport", .literal($0)] } ?? [])
        let release: [ShellCommand.Word] = ["--release", .environment("RELEASE")]
        let artifact = ShellCommand.Word.environment(Self.artifactParameter(service: unit.service, kind: unit.kind))
        let green: ShellCommand
        switch unit.deployment {
        case .ecs: green = cutover(["provision"] + target + ["--image", artifact] + release)
        case .ansible: green = cutover(["deploy"] + target + ["--artifact", artifact] + release)
        }
        return PipelineView.Unit(
            id: unit.id, service: unit.service, sport: unit.sport, kind: unit.kind.rawValue,
            green: step(green),
            verify: step(cutover(["verify"] + target + release)))
    }

    var commands: PipelineView.Commands {
        let release: [ShellCommand.Word] = ["--release", .environment("RELEASE")]
        // Every migration session gets a lock_timeout, so a migration waiting behind a long-running
        // query fails fast instead of stalling production traffic queued behind its lock; lint knows it.
        let migrations: [ShellCommand.Word] = ["--migrations", .environment("MIGRATIONS_DIR"), "--lock-timeout", .literal(Self.migrationLockTimeout)]
        return PipelineView.Commands(
            validate: step(cutover(["validate"])),
            lint: step(cutover(["migrate", "lint"] + migrations)),
            migrate: step(cutover(["migrate", "deploy"] + migrations)),
            plan: PipelineView.Step(command: cutover(["promote", "--dry-run"] + release).redirected(to: Self.planFile)),
            promotePreflight: step(cutover(["promote", "--dry-run"] + release)),
            promote: step(cutover(["promote"] + release)),
            rollback: step(cutover(["rollback"] + release + ["--reason", .environment("REASON")])),
            expectGreen: step(cutover(["status", "--expect", "green"] + release)),
            expectBlue: step(cutover(["status", "--expect", "blue"] + release)),
            rollbackAll: step(cutover(["rollback"] + release + ["--reason", "promotion failed"])))
    }

    private func cutover(_ words: [ShellCommand.Word]) -> ShellCommand {
        ShellCommand([.literal(config.jenkins.binary)] + words)
    }

    private func step(_ command: ShellCommand) -> PipelineView.Step {
        PipelineView.Step(command: command.text)
    }

    private func git(_ source: GitSource) -> PipelineView.Git {
        PipelineView.Git(url: source.url, branch: source.branch, credential: source.credential)
    }
}
