import CutoverJenkins
import Foundation

/// `JenkinsAPI` in memory, for step logic. Its fields are the state; the conformance suite holds it to
/// the same contract as the REST client against the emulator.
public actor InMemoryJenkins: JenkinsAPI {
    public struct Item: Sendable {
        public var kind: ItemKind
        public var config: String
    }

    public private(set) var items: [ItemPath: Item] = [:]
    /// Every mutating call, in order: "create a/b", "update a/b", "delete a/b", "build a/b".
    public private(set) var log: [String] = []
    private var queue: [Int: (job: ItemPath, state: QueueState)] = [:]
    private var builds: [ItemPath: [BuildInfo]] = [:]
    private var consoles: [String: String] = [:]
    private var nextQueueID = 1

    public init() {}

    public func config(of path: ItemPath) -> String? {
        items[path]?.config
    }

    public func create(_ path: ItemPath, config: String) throws {
        guard path.parent.isRoot || items[path.parent]?.kind == .folder else {
            throw JenkinsError(.notFound, "cannot create \(path): the folder \(path.parent) does not exist", status: 404)
        }
        guard items[path] == nil else {
            throw JenkinsError(.rejected, "Jenkins refused to create \(path): A job already exists with the name '\(path.name)'", status: 400)
        }
        let kind: ItemKind = config.contains("<com.cloudbees.hudson.plugins.folder.Folder") ? .folder : .job
        items[path] = Item(kind: kind, config: config)
        log.append("create \(path)")
    }

    public func update(_ path: ItemPath, config: String) throws {
        guard items[path] != nil else { throw JenkinsError(.notFound, "cannot update \(path): \(path) does not exist", status: 404) }
        items[path]?.config = config
        log.append("update \(path)")
    }

    public func delete(_ path: ItemPath) throws {
        guard items[path] != nil else { throw JenkinsError(.notFound, "cannot delete \(path): \(path) does not exist", status: 404) }
        items = items.filter { !$0.key.segments.starts(with: path.segments) }
        log.append("delete \(path)")
    }

    public func children(of folder: ItemPath) -> [ItemSummary]? {
        guard folder.isRoot || items[folder]?.kind == .folder else { return nil }
        return items.filter { $0.key.parent == folder }.sorted { $0.key < $1.key }.map {
            ItemSummary(path: $0.key, kind: $0.value.kind,
                        className: $0.value.kind == .folder ? "com.cloudbees.hudson.plugins.folder.Folder" : "org.jenkinsci.plugins.workflow.job.WorkflowJob")
        }
    }

    public func build(_ job: ItemPath, parameters: [(String, String)]) throws -> Int {
        guard items[job]?.kind == .job else { throw JenkinsError(.notFound, "cannot start a build of \(job): \(job) does not exist", status: 404) }
        let id = nextQueueID
        nextQueueID += 1
        let number = (builds[job]?.count ?? 0) + 1
        builds[job, default: []].append(BuildInfo(number: number, url: "memory://\(job)/\(number)/", building: false, result: "SUCCESS",
                                                  durationMilliseconds: 1, timestamp: 0))
        consoles["\(job)#\(number)"] = parameters.map { "\($0.0)=\($0.1)\n" }.joined() + "Finished: SUCCESS\n"
        queue[id] = (job, .started(number: number, url: "memory://\(job)/\(number)/"))
        log.append("build \(job)")
        return id
    }

    public func queueItem(_ id: Int) throws -> QueueState {
        guard let item = queue[id] else { throw JenkinsError(.notFound, "cannot read queue item \(id)", status: 404) }
        return item.state
    }

    public func buildInfo(_ job: ItemPath, number: Int?) -> BuildInfo? {
        guard let list = builds[job] else { return nil }
        return number.map { n in list.first { $0.number == n } } ?? list.last
    }

    public func console(_ job: ItemPath, number: Int, from offset: Int) throws -> ConsoleChunk {
        let text = Data((consoles["\(job)#\(number)"] ?? "").utf8)
        let start = min(offset, text.count)
        return ConsoleChunk(text: String(decoding: text[start...], as: UTF8.self), nextOffset: text.count, more: false)
    }

    /// Test setup: put an item in place without logging it.
    public func seed(_ path: ItemPath, kind: ItemKind, config: String) {
        items[path] = Item(kind: kind, config: config)
    }

    public func clearLog() {
        log.removeAll()
    }
}
