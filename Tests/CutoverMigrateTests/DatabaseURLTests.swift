import CutoverMigrate
import Testing

@Suite("Database URLs")
struct DatabaseURLTests {
    @Test func parsesPrismaStyleURLs() throws {
        let url = try DatabaseURL(parsing: "postgresql://app%40x:p%2Fss@db.cluster-abc.eu-west-1.rds.amazonaws.com:6543/spectate?schema=release&sslmode=verify-full&sslrootcert=/etc/rds.pem")
        #expect(url.host == "db.cluster-abc.eu-west-1.rds.amazonaws.com")
        #expect(url.port == 6543)
        #expect(url.user == "app@x")
        #expect(url.password == "p/ss")
        #expect(url.database == "spectate")
        #expect(url.schema == "release")
        #expect(url.tls == .verifyFull)
        #expect(url.rootCertificate == "/etc/rds.pem")
        #expect(url.redacted == "postgresql://app@x:****@db.cluster-abc.eu-west-1.rds.amazonaws.com:6543/spectate?schema=release")
    }

    @Test func defaults() throws {
        let url = try DatabaseURL(parsing: "postgres://u@h/db")
        #expect(url.port == 5432 && url.schema == "public" && url.tls == .prefer && url.password == nil)
    }

    @Test(arguments: ["mysql://u@h/db", "postgresql:///db", "not a url", "postgresql://u@h/db?sslmode=bogus"])
    func rejects(text: String) {
        #expect(throws: MigrateError.self) { try DatabaseURL(parsing: text) }
    }
}
