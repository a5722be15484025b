import CutoverCore
import CutoverJenkins
import CutoverRender

/// Makes Jenkins hold the pipelines a validated config renders: the seam between the reconciler and
/// Jenkins, so the reconcile loop is tested without a server and registration stays in one place.
public protocol PipelineRegistrar: Sendable {
    /// Renders and registers `config`, touching only what differs; with `prune`, deletes the managed
    /// jobs the config no longer has. Throws when Jenkins cannot be read at all; per-item failures
    /// are in the returned steps.
    func register(_ config: Config, prune: Bool) async throws -> [RegistrationStep]
}

/// Registration exactly as `cutover register` does it: `DesiredItem.all`, then `Registrar.plan` and
/// `apply`, pruning the environment folders of the config.
public struct JenkinsPipelineRegistrar: PipelineRegistrar {
    public let jenkins: any JenkinsAPI
    public let serverLabel: String
    public let renderer: Renderer
    public let concurrency: Int

    public init(jenkins: any JenkinsAPI, serverLabel: String, renderer: Renderer, concurrency: Int = 8) {
        self.jenkins = jenkins
        self.serverLabel = serverLabel
        self.renderer = renderer
        self.concurrency = concurrency
    }

    public func register(_ config: Config, prune: Bool) async throws -> [RegistrationStep] {
        let desired = try DesiredItem.all(for: config, renderer: renderer)
        let registrar = Registrar(jenkins: jenkins, concurrency: concurrency, managedMarker: Renderer.managedMarker, serverLabel: serverLabel)
        let folder = ItemPath(config.jenkins.folder)
        let scopes = prune ? config.environments.map { folder.appending($0.name) } : []
        return await registrar.apply(try await registrar.plan(desired, pruneScopes: scopes), desired: desired)
    }
}
