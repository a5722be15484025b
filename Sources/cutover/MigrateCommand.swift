import ArgumentParser
import CutoverAWS
import CutoverHTTP
import CutoverCore
import CutoverMigrate
import Foundation

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Prisma-compatible database migrations (a drop-in for `prisma migrate deploy`).",
        subcommands: [MigrateDeployCommand.self, MigrateStatusCommand.self, MigrateResolveCommand.self, MigrateLintCommand.self]
    )
}

/// Where the migrations are and which database they go to.
struct MigrationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The Prisma migrations folder (<name>/migration.sql).", valueName: "dir"))
    var migrations = "prisma/migrations"

    @Option(name: .long, help: ArgumentHelp("""
        Database URL (postgresql://user:password@host:5432/db?schema=public&sslmode=verify-full&sslrootcert=ca.pem). \
        Default: $DATABASE_URL, or with --schema the variable its datasource names with env("...").
        """, valueName: "url"))
    var databaseURL: String?

    @Option(name: .long, help: ArgumentHelp("A schema.prisma whose datasource url = env(\"NAME\") names the variable holding the URL.", valueName: "file"))
    var schema: String?

    @Option(name: .long, help: ArgumentHelp("An Aurora cluster: connect to its writer endpoint (RDS DescribeDBClusters) instead of the URL's host; user, password and database still come from the URL.", valueName: "id"))
    var cluster: String?

    @Option(name: .long, help: ArgumentHelp("The cluster's region. Default: $AWS_REGION, else $AWS_DEFAULT_REGION.", valueName: "region"))
    var region: String?

    /// The URL, with its host replaced by the cluster's writer endpoint when `--cluster` names one.
    func resolvedURL() async throws -> DatabaseURL {
        var url = try url()
        guard let cluster else { return url }
        let environment = ProcessInfo.processInfo.environment
        guard let region = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !region.isEmpty else {
            throw MigrateError(code: "migrate.region", "--cluster needs a region: pass --region or set AWS_REGION")
        }
        let transport = AsyncHTTPTransport()
        let endpoint = environment["AWS_ENDPOINT_URL"].flatMap { $0.isEmpty ? nil : URL(string: $0) }
        let client = AWSClient(transport: transport, credentials: try CredentialChain.provider(environment: environment, transport: transport),
                               region: region, endpoint: endpoint)
        let found = try await RDSClient(client: client).describeCluster(identifier: cluster)
        guard let writer = found.endpoint, !writer.isEmpty else {
            throw MigrateError(code: "migrate.cluster", "cluster \(cluster) has no writer endpoint (status \(found.status))")
        }
        url.host = writer
        if let port = found.port { url.port = port }
        return url
    }

    func url() throws -> DatabaseURL {
        let environment = ProcessInfo.processInfo.environment
        if let databaseURL {
            let url = try DatabaseURL(parsing: databaseURL)
            if let password = url.password, !password.isEmpty { Self.warnPasswordInArguments() }
            return url
        }
        var variable = "DATABASE_URL"
        if let schema {
            guard let text = try? String(contentsOfFile: schema, encoding: .utf8) else {
                throw MigrateError(code: "migrate.schema", "cannot read \(schema)")
            }
            guard let name = Self.datasourceVariable(text) else {
                throw MigrateError(code: "migrate.schema", "\(schema) has no datasource url = env(\"NAME\"): cutover never reads credentials from a file")
            }
            variable = name
        }
        guard let text = environment[variable], !text.isEmpty else {
            throw MigrateError(code: "migrate.database-url", "no database URL: set \(variable) (in Jenkins, bind it with withCredentials) or pass --database-url")
        }
        return try DatabaseURL(parsing: text)
    }

    /// A password in `--database-url` is in the process's argv, which every user of the machine can read
    /// (`ps`, /proc/PID/cmdline) while it runs, and which Jenkins may echo. Says so without repeating it.
    static func warnPasswordInArguments() {
        printError("""
            warning: --database-url carries a password, and command-line arguments are visible to every user of this machine (ps, /proc) while cutover runs
            hint: set DATABASE_URL in the environment instead (in Jenkins, bind the credential with withCredentials([string(credentialsId: ..., variable: 'DATABASE_URL')]))
            """)
    }

    /// `url = env("NAME")` inside the `datasource` block of a schema.prisma.
    static func datasourceVariable(_ schema: String) -> String? {
        guard let block = schema.range(of: "datasource") else { return nil }
        let rest = schema[block.upperBound...]
        guard let end = rest.firstIndex(of: "}") else { return nil }
        for line in rest[..<end].split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("url"), let open = trimmed.range(of: "env(\""), let close = trimmed.range(of: "\")") else { continue }
            return String(trimmed[open.upperBound..<close.lowerBound])
        }
        return nil
    }
}

/// Session settings and lock behaviour for commands that change the database.
struct MigrationSafetyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Seconds to wait for another deploy's advisory lock (polling, never queueing in the server).", valueName: "seconds"))
    var lockWait: Double = 10

    @Option(name: .long, help: ArgumentHelp("Session statement_timeout while migrating, e.g. 15min (default: the server's).", valueName: "value"))
    var statementTimeout: String?

    @Option(name: .long, help: ArgumentHelp("Session lock_timeout while migrating, e.g. 5s, so a migration cannot queue behind long locks.", valueName: "value"))
    var lockTimeout: String?

    func options(strict: Bool = false) -> Migrator.Options {
        var options = Migrator.Options()
        options.lockWait = .milliseconds(Int(max(0, lockWait) * 1000))
        options.statementTimeout = statementTimeout
        options.lockTimeout = lockTimeout
        options.strict = strict
        return options
    }
}

/// Opens the database, runs `body`, closes it.
func withMigrationDatabase<T>(_ url: DatabaseURL, _ body: (PostgresMigrationDatabase) async throws -> T) async throws -> T {
    let database = try await PostgresMigrationDatabase.connect(url)
    do {
        let result = try await body(database)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}
