import CutoverCore

/// The Kubernetes agent pod of `jenkins.sidecar.kubernetes`: `jnlp` (the Jenkins agent, which runs the
/// steps) and `cutover` (the sidecar, `cutover serve`, which the steps call on loopback). Rendered from
/// `kubernetes/agent-pod`, written to `<rendered_path>/<env>/agent-pod.yaml` for review and embedded in
/// the environment's Jenkinsfiles.
///
/// The sidecar starts before the pipeline has checked out its config, so the paths meet on the pod's
/// workspace volume, which the Kubernetes plugin mounts into every container at `root`: the pipelines
/// check out into the fixed `workspace` (`customWorkspace`), the sidecar waits until the config there
/// validates and then serves it, and it shares its own binary at `sharedBinary` so the jnlp container
/// (a stock agent image) can run the `cutover` client.
enum AgentPod {
    /// The Kubernetes plugin's working directory in every container, where the workspace volume is mounted.
    static let root = "/home/jenkins/agent"
    static let workspace = "\(root)/cutover-workspace"
    static let sharedBinary = "\(root)/cutover-bin/cutover"
    /// `cutover serve --listen` in the pod: loopback, which only the pod's own containers share.
    static let listen = "127.0.0.1:8780"
    static let url = "http://\(listen)"

    static let template = "kubernetes/agent-pod.yaml"
    /// Beside the environment's folder config.xml: `<rendered_path>/<env>/agent-pod.yaml`.
    static let fileName = "agent-pod.yaml"

    /// What `kubernetes/agent-pod` sees (templates/README.md); values land as YAML double-quoted scalars.
    struct View: TemplateRepresentable {
        var system: String
        var environment: String
        var image: String
        var serviceAccount: String?
        var secret: String?
        /// The config as the sidecar finds it: `jenkins.config` under the fixed workspace.
        var config: String

        var templateValue: TemplateValue {
            .object([
                "system": .text(system), "environment": .text(environment), "image": .text(image),
                "serviceAccount": .text(serviceAccount), "secret": .text(secret), "config": .text(config),
                "listen": .text(AgentPod.listen), "sharedBinary": .text(AgentPod.sharedBinary),
            ])
        }
    }

    static func view(_ config: Config, _ environment: Environment, _ agent: KubernetesAgent) -> View {
        View(system: config.name, environment: environment.name, image: agent.image, serviceAccount: agent.serviceAccount,
             secret: agent.secret, config: "\(workspace)/\(config.jenkins.configPath)")
    }
}
