import ArgumentParser
import CutoverCore
import Foundation

/// Runs a command body and turns a `CutoverError` into its message on stderr and its documented exit
/// code. Anything else is a bug in cutover and says so.
func reporting(json: Bool = false, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch let error as any CutoverError {
        if json {
            printJSON(["ok": false, "error": ["code": error.code, "message": error.description, "exitStatus": Int(error.exitStatus.rawValue)]])
        }
        printError("error[\(error.code)]: \(error.description)")
        throw ExitCode(error.exitStatus.rawValue)
    } catch {
        if json { printJSON(["ok": false, "error": ["code": "internal", "message": "\(error)", "exitStatus": 1]]) }
        printError("error[internal]: \(error) (this is a bug in cutover; please report it)")
        throw ExitCode(ExitStatus.failure.rawValue)
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Prints a JSON value with sorted keys, so output is stable for scripts and tests.
func printJSON(_ value: Any) {
    let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]))
        ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

extension Diagnostic {
    var json: [String: Any] {
        ["file": location.file, "line": location.line, "column": location.column, "path": path, "message": message, "hint": hint]
    }
}
