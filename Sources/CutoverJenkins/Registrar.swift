import CutoverCore
import Foundation

/// An item Jenkins should hold: a folder or a job, with the config.xml cutover rendered for it.
public struct DesiredItem: Sendable, Equatable {
    public var path: ItemPath
    public var kind: ItemKind
    public var config: String
    /// Where the rendered file lives (for diffs): e.g. `jenkins/staging/promote/config.xml`.
    public var source: String
    /// For an environment folder with `jenkins.library: folder`: the `LibraryConfiguration` element
    /// that must be in the folder's library property even when the folder already exists.
    public var library: String?

    public init(path: ItemPath, kind: ItemKind, config: String, source: String, library: String? = nil) {
        self.path = path
        self.kind = kind
        self.config = config
        self.source = source
        self.library = library
    }
}

/// What `register` does (or, with `--dry-run`, would do) to one item.
public struct RegistrationStep: Sendable, Equatable {
    public enum Action: String, Sendable {
        case create = "created"
        case update = "updated"
        case unchanged
        /// A folder that already exists: folders are created, never rewritten (people add views and
        /// properties to folders). Only cutover's library in it is kept in step (an `update`).
        case exists
        case prune = "pruned"
        /// An item in a managed folder that the config does not have and cutover did not make: left alone.
        case keep = "kept"
    }

    public var path: ItemPath
    public var kind: ItemKind
    public var action: Action
    /// For updates: the unified diff from the server's config to the rendered one.
    public var diff: String?
    /// For a folder update: the config to send, the server's own with cutover's library merged in
    /// (a job update sends its rendered config).
    public var config: String?
    /// Set after `apply` when this step failed.
    public var error: String?
}

/// Makes Jenkins hold exactly the rendered items, touching only what differs. The comparison is always
/// with what the server holds now, never with a local cache, so hand edits in Jenkins are noticed and
/// restored, and a fresh machine does not reconfigure everything.
public struct Registrar: Sendable {
    public let jenkins: any JenkinsAPI
    /// Requests in flight at once.
    public let concurrency: Int
    /// Jobs carrying this text in their description are cutover's to prune.
    public let managedMarker: String
    /// How the server is named in diff headers, e.g. its base URL.
    public let serverLabel: String

    public init(jenkins: any JenkinsAPI, concurrency: Int = 8, managedMarker: String, serverLabel: String) {
        self.jenkins = jenkins
        self.concurrency = max(1, concurrency)
        self.managedMarker = managedMarker
        self.serverLabel = serverLabel
    }

    /// Reads the server and decides every step. `pruneScopes` are the folders whose unknown managed
    /// items are deleted (the environment folders); empty means no pruning.
    public func plan(_ desired: [DesiredItem], pruneScopes: [ItemPath]) async throws -> [RegistrationStep] {
        let current = try await boundedMap(desired, limit: concurrency) { item in
            try await jenkins.config(of: item.path)
        }
        var steps: [RegistrationStep] = zip(desired, current).map { item, server in
            guard let server else {
                return RegistrationStep(path: item.path, kind: item.kind, action: .create)
            }
            if item.kind == .folder {
                return folderStep(item, server: server)
            }
            if JobConfig.equivalent(server, item.config) {
                return RegistrationStep(path: item.path, kind: .job, action: .unchanged)
            }
            let diff = UnifiedDiff.diff(old: server, new: item.config,
                                        oldLabel: serverLabel + item.path.urlPath + "config.xml", newLabel: item.source)
            return RegistrationStep(path: item.path, kind: .job, action: .update, diff: diff)
        }
        let wanted = Set(desired.map(\.path))
        let listings = try await boundedMap(pruneScopes, limit: concurrency) { folder in
            try await jenkins.children(of: folder) ?? []
        }
        let strangers = listings.flatMap { $0 }.filter { !wanted.contains($0.path) }
        let configs = try await boundedMap(strangers, limit: concurrency) { item in
            try await jenkins.config(of: item.path)
        }
        for (item, config) in zip(strangers, configs) {
            let managed = config.flatMap(JobConfig.description(of:))?.contains(managedMarker) ?? false
            steps.append(RegistrationStep(path: item.path, kind: item.kind, action: managed ? .prune : .keep))
        }
        return steps
    }

    /// An existing folder is left as it is, except for cutover's library in its library property: that
    /// one element is merged into the server's config, so views, other libraries and properties stay.
    private func folderStep(_ item: DesiredItem, server: String) -> RegistrationStep {
        guard let library = item.library else {
            return RegistrationStep(path: item.path, kind: .folder, action: .exists)
        }
        do {
            let merged = try FolderLibraryMerge.merging(library, into: server)
            if JobConfig.equivalent(server, merged) {
                return RegistrationStep(path: item.path, kind: .folder, action: .exists)
            }
            let diff = UnifiedDiff.diff(old: server, new: merged, oldLabel: serverLabel + item.path.urlPath + "config.xml",
                                        newLabel: "\(item.source) (its library property, merged into the server's folder)")
            return RegistrationStep(path: item.path, kind: .folder, action: .update, diff: diff, config: merged)
        } catch {
            return RegistrationStep(path: item.path, kind: .folder, action: .exists, error: "\(error)")
        }
    }

    /// Carries out a plan: folders first, parents before children, then jobs and deletions with bounded
    /// concurrency. A failing item does not stop the others; it is reported in its step.
    public func apply(_ steps: [RegistrationStep], desired: [DesiredItem]) async -> [RegistrationStep] {
        let configs = Dictionary(desired.map { ($0.path, $0.config) }, uniquingKeysWith: { first, _ in first })
        var result = steps
        // Folders one level at a time: a job can only be created in a folder that exists.
        let folderIndices = steps.indices.filter { steps[$0].kind == .folder && steps[$0].action == .create }
        let depths = Set(folderIndices.map { steps[$0].path.segments.count }).sorted()
        var failedFolders: [ItemPath] = []
        for depth in depths {
            let level = folderIndices.filter { steps[$0].path.segments.count == depth }
            let errors = await boundedMapResults(level, limit: concurrency) { index in
                try await jenkins.create(steps[index].path, config: configs[steps[index].path] ?? "")
            }
            for (index, error) in zip(level, errors) where error != nil {
                result[index].error = error
                failedFolders.append(steps[index].path)
            }
        }
        // Folders to create are done; folder updates (their library property) go with the jobs.
        let work = steps.indices.filter {
            steps[$0].kind != .folder || steps[$0].action != .create
        }.filter { [.create, .update, .prune].contains(steps[$0].action) }
        let blockedBy = failedFolders
        let errors = await boundedMapResults(work, limit: concurrency) { index in
            let step = steps[index]
            if let blocked = blockedBy.first(where: { step.path.segments.starts(with: $0.segments) }) {
                throw JenkinsError(.notFound, "its folder \(blocked) could not be created")
            }
            switch step.action {
            case .create: try await jenkins.create(step.path, config: configs[step.path] ?? "")
            case .update: try await jenkins.update(step.path, config: step.config ?? configs[step.path] ?? "")
            case .prune: try await jenkins.delete(step.path)
            default: break
            }
        }
        for (index, error) in zip(work, errors) where error != nil { result[index].error = error }
        return result
    }

    private func boundedMap<T: Sendable, R: Sendable>(_ items: [T], limit: Int,
                                                      _ body: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
        try await withThrowingTaskGroup(of: (Int, R).self) { group in
            var results = [R?](repeating: nil, count: items.count)
            var next = 0
            while next < min(limit, items.count) {
                let index = next
                group.addTask { (index, try await body(items[index])) }
                next += 1
            }
            while let (index, value) = try await group.next() {
                results[index] = value
                if next < items.count {
                    let index = next
                    group.addTask { (index, try await body(items[index])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }

    /// Like `boundedMap`, but every item runs; returns each item's error message (nil on success).
    private func boundedMapResults<T: Sendable>(_ items: [T], limit: Int,
                                                _ body: @escaping @Sendable (T) async throws -> Void) async -> [String?] {
        (try? await boundedMap(items, limit: limit) { item -> String? in
            do {
                try await body(item)
                return nil
            } catch {
                return "\(error)"
            }
        }) ?? items.map { _ in "cancelled" }
    }
}
