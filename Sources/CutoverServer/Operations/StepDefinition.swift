/// One release step the daemon runs: its name in `POST /v1/environments/{env}/{step}`, the command
/// words that run it (`["migrate", "deploy"]`), and the CLI's own parser, so a request is checked by
/// exactly the rules a command line is and a mistyped option is a 400 before anything starts.
public struct StepDefinition: Sendable {
    public var name: String
    public var command: [String]
    /// Parses the complete argument list (after the command words); throws a message for people.
    public var check: @Sendable ([String]) throws -> Void

    public init(name: String, command: [String], check: @escaping @Sendable ([String]) throws -> Void) {
        self.name = name
        self.command = command
        self.check = check
    }
}
