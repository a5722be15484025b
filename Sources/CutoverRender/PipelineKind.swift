/// The four release pipelines every environment gets, in the order a release runs them.
public enum PipelineKind: String, Sendable, CaseIterable {
    case dbMigration = "db-migration"
    case serviceDeploy = "service-deploy"
    case promote
    case rollback

    /// The Jenkins job name (also the folder name under the rendered output).
    public var jobName: String { rawValue }

    /// The template that renders this pipeline's Jenkinsfile.
    var template: String { "pipelines/\(rawValue)" }

    var summary: String {
        switch self {
        case .dbMigration: "Lint and apply the release's database migrations, then start service-deploy."
        case .serviceDeploy: "Bring up green for every service, verify it, and ask for approval to promote."
        case .promote: "Move every ALB group from blue to green, all or nothing."
        case .rollback: "Move every ALB group back to its pre-promotion state."
        }
    }
}
