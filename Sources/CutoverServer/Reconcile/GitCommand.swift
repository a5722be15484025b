import Foundation

/// Runs the `git` CLI with a deadline. Output goes to temporary files rather than pipes, so a large
/// `git show` can never block on a full pipe. Never prompts (`GIT_TERMINAL_PROMPT=0`): credentials
/// come from git's own helpers or SSH keys, never from cutover's argv.
struct GitCommand: Sendable {
    var executable = "/usr/bin/git"
    var timeout: Duration = .seconds(120)

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: [String], in directory: String? = nil) async throws -> Output {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = (directory.map { ["-C", $0] } ?? []) + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: ConfigSourceError(code: "source.git", message: "cannot run \(executable): \(error)"))
                return
            }
            let timeout = timeout
            Task.detached {
                try? await Task.sleep(for: timeout)
                if process.isRunning { process.terminate() }
            }
        }
        return Output(status: status, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Like `run`, but a non-zero exit throws `source.git` with git's own message.
    func check(_ arguments: [String], in directory: String? = nil) async throws -> String {
        let output = try await run(arguments, in: directory)
        guard output.status == 0 else {
            let message = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw ConfigSourceError(code: "source.git", message: "git \(arguments.first ?? "") failed (exit \(output.status)): \(message)")
        }
        return output.stdout
    }
}
