import CutoverCore
import CutoverJenkins
import CutoverServer
import CutoverStatusPage
import CutoverSteps
import Foundation

/// The status page's reads, for `serve` and `status --html`: per environment, AWS and the state store
/// through `EnvironmentStatusReader`, and the builds waiting at the service-deploy gate through
/// `ApprovalReader`. Contexts (and their HTTP clients) are made once and reused by every read.
struct LiveStatus: LiveStatusSource {
    struct Target: Sendable {
        var name: String
        var context: TrafficContext?
        /// Why the environment cannot be read at all (no credentials, a bad endpoint).
        var problem: String?
    }

    var targets: [Target]
    var approvals: (any ApprovalReader)?
    /// The environment folder's service-deploy job, by environment.
    var gates: [String: ItemPath]
    /// Why no approvals are shown (no Jenkins configured), said on the page.
    var approvalsProblem: String?

    init(config: Config, environments: [Environment], aws: AWSOptions, approvals: (any ApprovalReader)?, approvalsProblem: String?) {
        targets = environments.map { environment in
            do {
                return Target(name: environment.name, context: try aws.trafficContext(config, environment, release: "", units: environment.units))
            } catch {
                return Target(name: environment.name, problem: "AWS and the state store cannot be read: \(error)")
            }
        }
        self.approvals = approvals
        self.approvalsProblem = approvalsProblem
        gates = Dictionary(uniqueKeysWithValues: environments.map {
            ($0.name, ItemPath(config.jenkins.folder).appending($0.name).appending("service-deploy"))
        })
    }

    func read() async -> [EnvironmentStatus] {
        await withTaskGroup(of: (Int, EnvironmentStatus).self) { group in
            for (index, target) in targets.enumerated() { group.addTask { (index, await read(target)) } }
            var results: [Int: EnvironmentStatus] = [:]
            for await (index, status) in group { results[index] = status }
            return targets.indices.map { results[$0]! }
        }
    }

    private func read(_ target: Target) async -> EnvironmentStatus {
        async let approvals = readApprovals(target.name)
        var status = EnvironmentStatus(name: target.name, problems: target.problem.map { [$0] } ?? [])
        if let context = target.context { status = await EnvironmentStatusReader.read(context) }
        switch await approvals {
        case .success(let list): status.approvals = list
        case .failure(let message): status.problems.append(message)
        }
        return status
    }

    private enum ApprovalRead { case success([Approval]), failure(String) }

    private func readApprovals(_ environment: String) async -> ApprovalRead {
        guard let approvals, let job = gates[environment] else {
            return approvalsProblem.map { .failure($0) } ?? .success([])
        }
        do {
            return .success(try await within(.seconds(3), "Jenkins did not answer within 3 s") { try await approvals.pendingInputs(of: job) }.map {
                Approval(job: $0.job.description, number: $0.number, url: $0.buildURL, message: $0.message, inputURL: $0.inputURL,
                         since: $0.buildTimestamp > 0 ? Date(timeIntervalSince1970: Double($0.buildTimestamp) / 1000) : nil)
            })
        } catch {
            return .failure("the builds waiting for approval could not be read from Jenkins: \(error)")
        }
    }

    /// `body`'s result, or `message` as the error once `limit` passed: a Jenkins that retries for a
    /// minute must not hold up the page (the request is cancelled).
    private func within<T: Sendable>(_ limit: Duration, _ message: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw StepError(code: "status.timeout", message: message)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}

/// The live status of the config the reconciler last applied.
struct ReconciledLiveStatus: LiveStatusSource {
    let status: FollowsAppliedConfig<LiveStatus>

    func read() async -> [EnvironmentStatus] {
        await status.current().read()
    }
}
