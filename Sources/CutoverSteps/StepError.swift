import CutoverCore

/// A step refused or failed, with a stable code and a message that says what to do.
public struct StepError: CutoverError {
    public var code: String
    public var message: String
    public var exitStatus: ExitStatus

    public init(code: String, message: String, exitStatus: ExitStatus = .failure) {
        self.code = code
        self.message = message
        self.exitStatus = exitStatus
    }

    public var description: String { message }
}
