import Foundation
import Yams

/// Loads and validates `cutover.yml`. The one place the config schema is defined; README.md's config
/// reference describes the same keys.
public enum ConfigLoader {
    /// Reads and validates the config at `path`, throwing `ConfigFileError` or `ConfigError`.
    public static func load(path: String) throws -> Config {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigFileError(path: path, reason: "the file is not UTF-8 text")
            }
            text = decoded
        } catch let error as ConfigFileError {
            throw error
        } catch {
            throw ConfigFileError(path: path, reason: FileManager.default.fileExists(atPath: path)
                ? "the file cannot be read (check its permissions)"
                : "no such file (pass --config PATH or set CUTOVER_CONFIG)")
        }
        return try parse(text, file: path)
    }

    /// Validates config text; `file` names it in diagnostics.
    public static func parse(_ text: String, file: String) throws -> Config {
        let root: Node?
        do {
            // The basic resolver keeps every scalar a string: cutover parses numbers and booleans itself,
            // and Yams's default resolver runs regular expressions over every scalar.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw ConfigError(diagnostics: [syntaxDiagnostic(error, file: file)])
        }
        let sink = DiagnosticSink()
        let reader = YAMLReader(file: file, sink: sink)
        guard let root else {
            throw ConfigError(diagnostics: [Diagnostic(location: SourceLocation(file: file, line: 1, column: 1), path: "",
                                                       message: "the file is empty", hint: "start from examples/spectate.yml")])
        }
        let config = SchemaReader(reader: reader, path: file).read(root)
        if !sink.diagnostics.isEmpty || config == nil {
            throw ConfigError(diagnostics: sink.sorted)
        }
        return config!
    }

    private static func syntaxDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return Diagnostic(location: SourceLocation(file: file, line: mark.line, column: mark.column), path: "",
                              message: "YAML syntax: \(problem)", hint: "fix the YAML at this position (indentation, a missing ':' or an unclosed quote)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Diagnostic(location: SourceLocation(file: file, line: context.mark.line, column: context.mark.column), path: "",
                              message: "a mapping gives the key \(duplicates.sorted().map { quoted($0) }.joined(separator: ", ")) more than once",
                              hint: "keep one of them and delete the other")
        default:
            return Diagnostic(location: SourceLocation(file: file, line: 1, column: 1), path: "",
                              message: "YAML syntax: \(error)", hint: "check that the file is valid UTF-8 YAML")
        }
    }
}

/// Walks the document; one method per section. Reads everything even after an error, so every
/// problem is reported in one run.
private struct SchemaReader {
    let reader: YAMLReader
    let path: String
    var sink: DiagnosticSink { reader.sink }

    func read(_ root: Node) -> Config? {
        guard let top = reader.mapping(root, "") else { return nil }
        if let versionNode = top.value("version", required: true, hint: "add `version: 1` at the top of the file"),
           let version = reader.scalar(versionNode, "version"), version != "1" {
            reader.error(versionNode, "version", "\(quoted(version)) is not a config version this cutover understands",
                         hint: "write `version: 1`")
        }
        let name = top.templated("name", .name, required: true)?.expand([:], context: "", sink: sink)
        let jenkins = top.mapping("jenkins", required: true).map(readJenkins)
        let aws = top.mapping("aws").map(readAWS)
        let database = top.mapping("database").map(readDatabase)
        let promotion = top.mapping("promotion").map { readPromotion($0, base: .defaults) } ?? .defaults
        let services = top.mapping("services", required: true).map(readServices) ?? []
        let environmentsNode = top.mapping("environments", required: true)
        let state = readState(top)
        top.finish()

        var environments: [Environment] = []
        if let environmentsNode {
            if environmentsNode.pairs.isEmpty {
                reader.error(environmentsNode.node, "environments", "names no environment", hint: "add at least one, e.g. `staging:` with its `listeners:`")
            }
            var declared: [(name: String, node: Node, path: String)] = []
            for pair in environmentsNode.pairs {
                let envPath = environmentsNode.child(pair.key)
                guard let envName = Templated(raw: pair.key, location: reader.location(pair.keyNode), path: envPath, kind: .name)
                    .expand([:], context: "", sink: sink),
                      reader.mapping(pair.value, envPath) != nil else { continue }
                declared.append((envName, pair.value, envPath))
            }
            // Environments are independent, and checking each one's units is most of loading a large
            // config: read them on all cores, each into a sink of its own, then report in file order.
            let file = reader.file
            let read = declared.concurrentMap { declared -> (Environment?, [Diagnostic]) in
                let schema = SchemaReader(reader: YAMLReader(file: file, sink: DiagnosticSink()), path: path)
                let envMap = schema.reader.mapping(declared.node, declared.path)!
                let envState = schema.readState(envMap)
                var environment = schema.readEnvironment(declared.name, envMap, system: name ?? "system", aws: aws, jenkins: jenkins,
                                                         database: database, promotion: promotion, services: services)
                environment?.state = envState ?? state
                return (environment, schema.sink.diagnostics)
            }
            for (environment, diagnostics) in read {
                diagnostics.forEach(sink.report)
                if let environment { environments.append(environment) }
            }
        }
        if services.isEmpty, let servicesNode = top.value("services") {
            reader.error(servicesNode, "services", "names no service", hint: "add a service, e.g. `frontend:` with `kind: instances`")
        }
        guard let name, let jenkins = jenkins?.settings else { return nil }
        return Config(name: name, path: path, jenkins: jenkins, environments: environments)
    }

    // MARK: jenkins

    struct JenkinsPart {
        var settings: JenkinsSettings?
        var agent: String
        var approvers: [String]
        var credentials: CredentialTemplates
    }

    struct CredentialTemplates {
        var aws: Templated?
    }

    func readJenkins(_ map: MappingReader) -> JenkinsPart {
        let url = map.templated("url", .httpURL)?.expand([:], context: "", sink: sink)
        let folder = map.templated("folder", .folderPath)?.expand([:], context: "", sink: sink)
        let agent = map.templated("agent", .agentLabel)?.expand([:], context: "", sink: sink)
        let approvers = map.templatedList("approvers", .principal)?.compactMap { $0.expand([:], context: "", sink: sink) }
        if approvers == nil {
            _ = map.value("approvers", required: true, hint: "add `approvers: [release-managers]`: the Jenkins users or groups who may approve a promotion")
        }
        let credentials = map.mapping("credentials").map(readCredentials) ?? CredentialTemplates()
        let source = map.mapping("source", required: true).flatMap(readGitSource)
        let configPath = map.templated("config", .path)?.expand([:], context: "", sink: sink) ?? "cutover.yml"
        let binary = map.templated("binary", .path)?.expand([:], context: "", sink: sink) ?? "cutover"
        let keepBuilds = map.int("keep_builds", in: 1...10_000) ?? 30
        let renderedPath = map.templated("rendered_path", .path)?.expand([:], context: "", sink: sink) ?? "jenkins"
        var pipelineSource = PipelineSource.inline
        if let node = map.value("pipeline_source"), let text = reader.scalar(node, map.child("pipeline_source")) {
            if let parsed = PipelineSource(rawValue: text) {
                pipelineSource = parsed
            } else {
                reader.error(node, map.child("pipeline_source"), "\(quoted(text)) is not a pipeline source",
                             hint: "write `inline` (the Jenkinsfile is stored in the job) or `scm` (the job reads it from jenkins.source)")
            }
        }
        var library = LibraryMode.inline
        if let node = map.value("library"), let text = reader.scalar(node, map.child("library")) {
            if let parsed = LibraryMode(rawValue: text) {
                library = parsed
            } else {
                reader.error(node, map.child("library"), "\(quoted(text)) is not a way to load the library",
                             hint: "write `inline` (each Jenkinsfile's library step names the repository) or `folder` (a library property on the environment folder, kept by `cutover register`)")
            }
        }
        let sidecar = map.mapping("sidecar").flatMap(readSidecar)
        map.finish()
        let settings = source.map {
            JenkinsSettings(url: url, folder: folder.map { $0.split(separator: "/").map(String.init) } ?? [],
                            source: $0, configPath: configPath, binary: binary, keepBuilds: keepBuilds,
                            pipelineSource: pipelineSource, renderedPath: renderedPath, sidecar: sidecar, library: library)
        }
        return JenkinsPart(settings: settings, agent: agent ?? "any", approvers: approvers ?? [], credentials: credentials)
    }

    func readSidecar(_ map: MappingReader) -> Sidecar? {
        let url = map.templated("url", .httpURL)?.expand([:], context: "", sink: sink) ?? "http://127.0.0.1:8780"
        let credential = map.templated("credential", .credentialID, required: true,
                                       hint: "add `credential: cutover-sidecar-token`: the Jenkins secret-text credential holding the sidecar's operate token")?
            .expand([:], context: "", sink: sink)
        let kubernetes = map.mapping("kubernetes").flatMap(readKubernetes)
        map.finish()
        return credential.map { Sidecar(url: url, credential: $0, kubernetes: kubernetes) }
    }

    func readKubernetes(_ map: MappingReader) -> KubernetesAgent? {
        let image = map.templated("image", .containerImage, required: true,
                                  hint: "add `image: registry.example.com/cutover:1.4`: the image with the cutover binary")?
            .expand([:], context: "", sink: sink)
        let account = map.templated("service_account", .kubernetesName)?.expand([:], context: "", sink: sink)
        let secret = map.templated("secret", .kubernetesName)?.expand([:], context: "", sink: sink)
        map.finish()
        return image.map { KubernetesAgent(image: $0, serviceAccount: account, secret: secret) }
    }

    func readCredentials(_ map: MappingReader) -> CredentialTemplates {
        let aws = map.templated("aws", .credentialID)
        map.finish()
        return CredentialTemplates(aws: aws)
    }

    func readGitSource(_ map: MappingReader) -> GitSource? {
        let url = map.templated("url", .gitURL, required: true)?.expand([:], context: "", sink: sink)
        let branch = map.templated("branch", .gitRef)?.expand([:], context: "", sink: sink) ?? "main"
        let credential = map.templated("credential", .credentialID)?.expand([:], context: "", sink: sink)
        map.finish()
        return url.map { GitSource(url: $0, branch: branch, credential: credential) }
    }

    // MARK: aws

    struct AWSPart {
        var region: String?
        var endpoint: String?
    }

    func readAWS(_ map: MappingReader) -> AWSPart {
        let region = map.templated("region", .region)?.expand([:], context: "", sink: sink)
        let endpoint = map.templated("endpoint", .httpURL)?.expand([:], context: "", sink: sink)
        map.finish()
        return AWSPart(region: region, endpoint: endpoint)
    }

    // MARK: database

    struct DatabaseTemplates {
        var cluster: Templated?
        var migrations: Templated?
        var credential: Templated?
        var repository: GitSource?
    }

    func readDatabase(_ map: MappingReader) -> DatabaseTemplates {
        let templates = DatabaseTemplates(
            cluster: map.templated("cluster", .ecsName, required: true),
            migrations: map.templated("migrations", .path),
            credential: map.templated("credential", .credentialID, required: true,
                                      hint: "add `credential:`: the Jenkins credential ID of a secret text holding the database URL"),
            repository: map.mapping("repository", required: true).flatMap(readGitSource))
        map.finish()
        return templates
    }

    // MARK: promotion

    func readPromotion(_ map: MappingReader, base: Promotion) -> Promotion {
        var promotion = base
        if let parallel = map.bool("parallel") { promotion.parallel = parallel }
        if let stepsNode = map.value("steps"), let items = reader.sequence(stepsNode, map.child("steps")) {
            let steps = items.enumerated().compactMap { reader.int($1, "\(map.child("steps"))[\($0)]", in: 1...100) }
            if steps.count == items.count {
                if steps.isEmpty || steps.last != 100 || zip(steps, steps.dropFirst()).contains(where: { $0 >= $1 }) {
                    reader.error(stepsNode, map.child("steps"), "must rise strictly and end at 100, found \(steps)",
                                 hint: "write e.g. `steps: [10, 50, 100]`, or `[100]` to switch at once")
                } else {
                    promotion.steps = steps
                }
            }
        }
        if let bake = map.duration("bake") { promotion.bakeSeconds = bake }
        if let percent = map.int("min_healthy_percent", in: 1...100) { promotion.minHealthyPercent = percent }
        if let timeout = map.duration("health_timeout") { promotion.healthTimeoutSeconds = timeout }
        map.finish()
        return promotion
    }

    // MARK: services

    struct ServiceTemplates {
        var name: String
        var kind: ServiceKind
        var sports: [String]
        var listener: Templated?
        var rule: RuleTemplate?
        var blue: Templated?
        var green: Templated?
        var ecs: (cluster: Templated?, service: Templated?, family: Templated?, container: Templated?, port: Int?, desired: Int?)?
        var ansible: AnsibleTemplates?
        var smoke: [(path: Templated, status: Int, timeout: Int)] = []
    }

    struct AnsibleTemplates {
        var playbook: Templated?
        var inventory: Templated?
        var template: String
        var port: Int
        var healthPath: Templated?
        var hostTags: [(key: Templated, value: Templated)]
        var variables: [(name: String, values: [Templated], isList: Bool)]
        var connection = AnsibleConnection()
    }

    enum RuleTemplate {
        case arn(Templated)
        case priority(Int)
        case path(Templated)
        case host(Templated)
    }

    func readServices(_ map: MappingReader) -> [ServiceTemplates] {
        var services: [ServiceTemplates] = []
        for pair in map.pairs {
            let path = map.child(pair.key)
            guard let name = Templated(raw: pair.key, location: reader.location(pair.keyNode), path: path, kind: .name)
                .expand([:], context: "", sink: sink),
                  let service = reader.mapping(pair.value, path) else { continue }
            if let parsed = readService(name, service) { services.append(parsed) }
        }
        // Units become Jenkins stage names and promotion groups: two services must not collide.
        return services
    }

    func readService(_ name: String, _ map: MappingReader) -> ServiceTemplates? {
        guard let kindNode = map.value("kind", required: true, hint: "add `kind: ecs` or `kind: instances`"),
              let kindText = reader.scalar(kindNode, map.child("kind")) else { return nil }
        guard let kind = ServiceKind(rawValue: kindText) else {
            let suggestion = closest(to: kindText, in: ServiceKind.allCases.map(\.rawValue)).map { "did you mean `\($0)`? " } ?? ""
            reader.error(kindNode, map.child("kind"), "\(quoted(kindText)) is not a service kind",
                         hint: "\(suggestion)write `ecs` (a container service) or `instances` (a fleet deployed by Ansible)")
            return nil
        }
        var sports: [String] = []
        if let sportNodes = map.templatedList("sports", .name) {
            var seen: Set<String> = []
            for sport in sportNodes {
                guard let value = sport.expand([:], context: "", sink: sink) else { continue }
                if !seen.insert(value).inserted {
                    sink.error(sport.location, sport.path, "names the sport \(quoted(value)) twice", hint: "list each sport once")
                } else {
                    sports.append(value)
                }
            }
            if sportNodes.isEmpty, let node = map.value("sports") {
                reader.error(node, map.child("sports"), "is an empty list", hint: "list at least one sport, or remove `sports:`")
            }
        }
        var service = ServiceTemplates(name: name, kind: kind, sports: sports)
        service.listener = map.templated("listener", .name, required: true,
                                         hint: "add `listener: ALIAS`, naming an entry of each environment's `listeners:`")
        service.rule = map.mapping("rule").flatMap(readRule)
        var ruleIsFixed = true
        switch service.rule {
        case .arn(let t)?, .path(let t)?, .host(let t)?: ruleIsFixed = !t.raw.contains("{sport}")
        case .priority?, nil: ruleIsFixed = true
        }
        if sports.count > 1, ruleIsFixed, let listener = service.listener {
            // Every sport needs a rule of its own; one rule would route all sports through one split.
            sink.error(listener.location, map.child("rule"), "fans out to \(sports.count) sports but names no per-sport rule",
                       hint: "add `rule: {path: /feeds/{sport}/*}` (or `host:`/`arn:` using {sport}) so each sport has its own rule")
        }
        if let groups = map.mapping("target_groups", required: true) {
            service.blue = groups.templated("blue", .targetGroupName, required: true)
            service.green = groups.templated("green", .targetGroupName, required: kind == .instances,
                                             hint: "add `green:`: an instance fleet is deployed into a fixed second target group")
            groups.finish()
        }
        switch kind {
        case .ecs:
            let container = map.mapping("container", required: true)
            let containerName = container?.templated("name", .ecsName)
            let port = container?.value("port", required: true).flatMap { reader.int($0, container!.child("port"), in: 1...65535) }
            container?.finish()
            service.ecs = (map.templated("cluster", .ecsName, required: true), map.templated("service", .ecsName),
                           map.templated("task_family", .ecsName), containerName, port, map.int("desired_count", in: 1...1000))
        case .instances:
            service.ansible = readAnsible(map, sports: sports)
        }
        if let checks = map.value("smoke").flatMap({ reader.sequence($0, map.child("smoke")) }) {
            for (index, node) in checks.enumerated() {
                guard let check = reader.mapping(node, "\(map.child("smoke"))[\(index)]") else { continue }
                let path = check.templated("path", .pathPattern, required: true)
                let status = check.int("status", in: 100...599) ?? 200
                let timeout = check.duration("timeout") ?? 5
                check.finish()
                if let path { service.smoke.append((path, status, timeout)) }
            }
        }
        map.finish(context: "a service of kind \(kind.rawValue)")
        return service
    }

    /// The instance-fleet keys: playbook or template, inventory or EC2 tags, port, health path, variables.
    func readAnsible(_ map: MappingReader, sports: [String]) -> AnsibleTemplates {
        var ansible = AnsibleTemplates(playbook: map.templated("playbook", .path), inventory: map.templated("inventory", .path),
                                       template: sports.isEmpty ? "frontend" : "feed-normalizer", port: 80, healthPath: nil,
                                       hostTags: [], variables: [])
        if let node = map.value("template"), let value = reader.scalar(node, map.child("template")) {
            if ["frontend", "feed-normalizer"].contains(value) {
                ansible.template = value
            } else {
                reader.error(node, map.child("template"), "\(quoted(value)) is not one of cutover's playbooks",
                             hint: "write `frontend` or `feed-normalizer`, or name your own with `playbook:`")
            }
        }
        ansible.port = map.int("port", in: 1...65535) ?? 80
        ansible.healthPath = map.templated("health_path", .pathPattern)
        if let tags = map.mapping("host_tags") {
            for pair in tags.pairs {
                let path = tags.child(pair.key)
                guard let key = reader.templated(pair.keyNode, path, .tag), let value = reader.templated(pair.value, path, .tag) else { continue }
                _ = tags.value(pair.key)
                ansible.hostTags.append((key, value))
            }
            tags.finish()
        }
        if let variables = map.mapping("vars") {
            for pair in variables.pairs {
                let path = variables.child(pair.key)
                _ = variables.value(pair.key)
                guard let name = reader.scalar(pair.keyNode, path) else { continue }
                if let problem = ValueKind.variableName.problem(with: name) {
                    reader.error(pair.keyNode, path, "\(quoted(name)) \(problem)", hint: "a variable name is \(ValueKind.variableName.expectation)")
                    continue
                }
                if case .sequence = pair.value {
                    let items = reader.sequence(pair.value, path) ?? []
                    let values = items.enumerated().compactMap { index, item in reader.templated(item, "\(path)[\(index)]", .text) }
                    ansible.variables.append((name, values, true))
                } else if let value = reader.templated(pair.value, path, .text) {
                    ansible.variables.append((name, [value], false))
                }
            }
            variables.finish()
        }
        if let settings = map.mapping("ansible") { ansible.connection = readConnection(settings) }
        return ansible
    }

    /// `ansible: {connection: local, python_interpreter: /usr/bin/python3}`: how Ansible reaches the hosts.
    func readConnection(_ map: MappingReader) -> AnsibleConnection {
        var connection = AnsibleConnection()
        if let node = map.value("connection"), let value = reader.scalar(node, map.child("connection")) {
            if AnsibleConnection.plugins.contains(value) {
                connection.connection = value
            } else {
                let suggestion = closest(to: value, in: AnsibleConnection.plugins).map { "did you mean `\($0)`? " } ?? ""
                reader.error(node, map.child("connection"), "\(quoted(value)) is not a connection cutover accepts",
                             hint: "\(suggestion)write one of \(AnsibleConnection.plugins.joined(separator: ", "))")
            }
        }
        if let node = map.value("python_interpreter"), let value = reader.scalar(node, map.child("python_interpreter")) {
            if let problem = ValueKind.path.problem(with: value) ?? (value.hasPrefix("/") ? nil : "is not an absolute path") {
                reader.error(node, map.child("python_interpreter"), "\(quoted(value)) \(problem)",
                             hint: "write the absolute path of the hosts' Python, e.g. /usr/bin/python3")
            } else {
                connection.pythonInterpreter = value
            }
        }
        map.finish()
        return connection
    }

    func readRule(_ map: MappingReader) -> RuleTemplate? {
        var found: [RuleTemplate] = []
        if let arn = map.templated("arn", .ruleARN) { found.append(.arn(arn)) }
        if let priority = map.int("priority", in: 1...50_000) { found.append(.priority(priority)) }
        if let path = map.templated("path", .pathPattern) { found.append(.path(path)) }
        if let host = map.templated("host", .hostPattern) { found.append(.host(host)) }
        map.finish()
        if found.count != 1 {
            reader.error(map.node, map.path, found.isEmpty ? "names no rule" : "names the rule more than one way",
                         hint: "write exactly one of `arn:`, `priority:`, `path:` or `host:`")
            return nil
        }
        return found[0]
    }

    // MARK: state

    /// `state:` (top level or per environment): `s3://bucket/prefix` or an absolute directory. A relative
    /// directory is refused: it would depend on each agent's working directory, and state must be shared.
    func readState(_ map: MappingReader) -> String? {
        guard let node = map.value("state"), let text = reader.scalar(node, map.child("state")) else { return nil }
        switch StateLocationSyntax.parse(text) {
        case .failure(let problem):
            reader.error(node, map.child("state"), "\(quoted(text)) \(problem)", hint: "write \(StateLocationSyntax.expectation)")
            return nil
        case .success(.directory(let path)):
            if let problem = path.hasPrefix("/") ? ValueKind.path.problem(with: path) : "is a relative path" {
                reader.error(node, map.child("state"), "\(quoted(text)) \(problem)",
                             hint: "write s3://BUCKET/PREFIX to share state between agents, or an absolute directory of letters, digits and ._- segments (e.g. /var/lib/cutover)")
                return nil
            }
            return path
        case .success(.s3):
            return text
        }
    }

    // MARK: environments

    func readEnvironment(_ name: String, _ map: MappingReader, system: String, aws: AWSPart?, jenkins: JenkinsPart?,
                         database: DatabaseTemplates?, promotion: Promotion, services: [ServiceTemplates]) -> Environment? {
        let region = map.templated("region", .region)?.expand([:], context: "", sink: sink) ?? aws?.region
        if region == nil {
            _ = map.value("region", required: true, hint: "add `region:` here or `aws: {region: eu-west-1}` for every environment")
        }
        let endpoint = map.templated("endpoint", .httpURL)?.expand([:], context: "", sink: sink) ?? aws?.endpoint
        let agent = map.templated("agent", .agentLabel)?.expand([:], context: "", sink: sink) ?? jenkins?.agent ?? "any"
        let approvers = map.templatedList("approvers", .principal)?.compactMap { $0.expand([:], context: "", sink: sink) }
            ?? jenkins?.approvers ?? []
        var credentialTemplates = jenkins?.credentials ?? CredentialTemplates()
        if let override = map.mapping("credentials").map(readCredentials), let aws = override.aws {
            credentialTemplates.aws = aws
        }
        let envPromotion = map.mapping("promotion").map { readPromotion($0, base: promotion) } ?? promotion
        var listeners: [String: (arn: String, used: Bool)] = [:]
        let listenersMap = map.mapping("listeners", required: true)
        for pair in listenersMap?.pairs ?? [] {
            let path = listenersMap!.child(pair.key)
            _ = Templated(raw: pair.key, location: reader.location(pair.keyNode), path: path, kind: .name).expand([:], context: "", sink: sink)
            if let arn = reader.templated(pair.value, path, .listenerARN)?.expand([:], context: "", sink: sink) {
                listeners[pair.key] = (arn, false)
            }
        }
        map.finish(context: "an environment")

        let variables = ["env": name, "system": system]
        let context = "in environment \(name)"
        let credentials = CredentialIDs(aws: credentialTemplates.aws?.expand(variables, context: context, sink: sink))
        var resolvedDatabase: Database?
        if let database, let cluster = database.cluster?.expand(variables, context: context, sink: sink),
           let credential = database.credential?.expand(variables, context: context, sink: sink),
           let repository = database.repository {
            let migrations = database.migrations?.expand(variables, context: context, sink: sink) ?? "prisma/migrations"
            resolvedDatabase = Database(cluster: cluster, migrations: migrations, credential: credential, repository: repository)
        }

        var resolvedServices: [Service] = []
        var unitIDs: [String: String] = [:]
        var routes: [String: String] = [:]
        var targetGroups: [String: String] = [:]
        for service in services {
            let sports: [String?] = service.sports.isEmpty ? [nil] : service.sports
            var units: [DeployUnit] = []
            for sport in sports {
                var vars = variables
                vars["service"] = service.name
                if let sport { vars["sport"] = sport }
                let unitContext = context + (sport.map { ", sport \($0)" } ?? "")
                guard let unit = resolveUnit(service, sport: sport, vars: vars, context: unitContext, listeners: &listeners,
                                             environmentLocation: reader.location(map.node), environmentPath: map.path) else { continue }
                let id = unit.id
                let flatID = String(id.map { $0 == "/" ? "-" : $0 })
                if let other = unitIDs[flatID] {
                    sink.error(service.listener?.location ?? reader.location(map.node), "services.\(service.name)",
                               "the unit \(id) collides with \(other) once '/' becomes '-' in job and stage names",
                               hint: "rename one of the services")
                }
                unitIDs[flatID] = id
                // Two units on one route, or sharing a target group, would fight over the same weights.
                let routeKey = unit.route.key
                if let other = routes[routeKey] {
                    sink.error(service.listener!.location, "services.\(service.name)", "\(id) and \(other) split traffic on the same listener \(unit.route.rule == nil ? "default action" : "rule")",
                               hint: "give each unit its own listener or its own `rule:` (use {sport} in the rule for a fan-out service)")
                }
                routes[routeKey] = id
                for group in [unit.blueTargetGroup, unit.greenTargetGroup].compactMap({ $0 }) {
                    if let other = targetGroups[group], other != id {
                        sink.error(service.blue?.location ?? service.listener!.location, "services.\(service.name).target_groups",
                                   "\(id) uses the target group \(quoted(group)), which \(other) uses too",
                                   hint: "give every unit target groups of its own (use {sport} in the names of a fan-out service)")
                    }
                    targetGroups[group] = id
                }
                units.append(unit)
            }
            resolvedServices.append(Service(name: service.name, kind: service.kind, sports: service.sports, units: units))
        }
        for (alias, entry) in listeners.sorted(by: { $0.key < $1.key }) where !entry.used {
            if let keyNode = listenersMap?.pairs.first(where: { $0.key == alias })?.keyNode {
                reader.error(keyNode, listenersMap!.child(alias), "is not used by any service",
                             hint: "remove it, or point a service at it with `listener: \(alias)`")
            }
        }
        guard let region else { return nil }
        return Environment(name: name, region: region, endpoint: endpoint, agent: agent, approvers: approvers,
                           credentials: credentials, database: resolvedDatabase, promotion: envPromotion, services: resolvedServices)
    }

    func resolveUnit(_ service: ServiceTemplates, sport: String?, vars: [String: String], context: String,
                     listeners: inout [String: (arn: String, used: Bool)], environmentLocation: SourceLocation,
                     environmentPath: String) -> DeployUnit? {
        // Every value is expanded and checked even when an earlier one failed: one run reports them all.
        func expand(_ template: Templated?) -> String? { template?.expand(vars, context: context, sink: sink) }
        var failed = false
        func required(_ template: Templated?) -> String? {
            let value = expand(template)
            if value == nil { failed = true }
            return value
        }
        func optional(_ template: Templated?) -> String? {
            let value = expand(template)
            if template != nil && value == nil { failed = true }
            return value
        }

        var listenerARN: String?
        if let listenerTemplate = service.listener, let alias = required(listenerTemplate) {
            if let listener = listeners[alias] {
                listeners[alias]?.used = true
                listenerARN = listener.arn
            } else {
                sink.error(listenerTemplate.location, listenerTemplate.path,
                           "names the listener \(quoted(alias)), which \(environmentPath) does not define",
                           hint: "add `\(alias): arn:aws:elasticloadbalancing:...` under `\(environmentPath).listeners`")
            }
        }
        var rule: RuleMatch?
        switch service.rule {
        case .arn(let template)?: rule = required(template).map(RuleMatch.arn)
        case .priority(let priority)?: rule = .priority(priority)
        case .path(let template)?: rule = required(template).map(RuleMatch.pathPattern)
        case .host(let template)?: rule = required(template).map(RuleMatch.hostHeader)
        case nil: rule = nil
        }
        let blue = required(service.blue)
        let green = optional(service.green)
        if let green, green == blue {
            sink.error(service.green!.location, service.green!.path, "is the same target group as blue (\(quoted(green)))",
                       hint: "name two different target groups: traffic moves between them")
            failed = true
        }
        var deployment: Deployment?
        switch service.kind {
        case .ecs:
            if let ecs = service.ecs {
                let cluster = required(ecs.cluster)
                let ecsService = ecs.service == nil ? service.name : optional(ecs.service)
                let family = ecs.family == nil ? service.name : optional(ecs.family)
                let container = ecs.container == nil ? service.name : optional(ecs.container)
                if let cluster, let ecsService, let family, let container, let port = ecs.port {
                    deployment = .ecs(ECSDeployment(cluster: cluster, service: ecsService, taskFamily: family,
                                                    containerName: container, containerPort: port, desiredCount: ecs.desired))
                }
            }
        case .instances:
            if let ansible = service.ansible {
                let playbook = optional(ansible.playbook), inventory = optional(ansible.inventory)
                let tags = ansible.hostTags.compactMap { pair -> AnsibleDeployment.KeyValue? in
                    guard let key = required(pair.key), let value = required(pair.value) else { return nil }
                    return AnsibleDeployment.KeyValue(key: key, value: value)
                }
                let variables = ansible.variables.map { variable in
                    AnsibleDeployment.Variable(name: variable.name, values: variable.values.compactMap { required($0) }, isList: variable.isList)
                }
                deployment = .ansible(AnsibleDeployment(playbook: playbook, inventory: inventory, template: ansible.template, port: ansible.port,
                                                        healthPath: optional(ansible.healthPath) ?? "/health", hostTags: tags, variables: variables,
                                                        connection: ansible.connection))
            }
        }
        guard !failed, let listenerARN, let blue, let deployment else { return nil }
        var unit = DeployUnit(service: service.name, sport: sport, route: Route(listenerARN: listenerARN, rule: rule),
                              blueTargetGroup: blue, greenTargetGroup: green, deployment: deployment)
        unit.smoke = service.smoke.compactMap { check in
            required(check.path).map { SmokeCheck(path: $0, status: check.status, timeoutSeconds: check.timeout) }
        }
        return unit
    }
}

extension Route {
    /// Identifies the route for collision checks; cheaper than reflecting over the enum.
    var key: String {
        switch rule {
        case nil: listenerARN
        case .arn(let arn): "\(listenerARN) arn \(arn)"
        case .priority(let priority): "\(listenerARN) priority \(priority)"
        case .pathPattern(let path): "\(listenerARN) path \(path)"
        case .hostHeader(let host): "\(listenerARN) host \(host)"
        }
    }
}

extension Promotion {
    /// Switch at once, after 60 s of healthy green; wait at most 10 minutes for health.
    public static let defaults = Promotion(parallel: true, steps: [100], bakeSeconds: 60, minHealthyPercent: 100,
                                           healthTimeoutSeconds: 600)
}
