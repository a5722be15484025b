import CutoverTesting
import Foundation
import Testing

/// Golden call stacks (the JenkinsPipelineUnit habit): one file per pipeline run under
/// Tests/Fixtures/callstacks/, compared exactly and rewritten only when `CUTOVER_RECORD=1` is set.
enum CallStackGolden {
    static var recording: Bool { ProcessInfo.processInfo.environment["CUTOVER_RECORD"] == "1" }

    static func path(_ id: String) -> String {
        Paths.repo("Tests/Fixtures/callstacks/\(id.replacingOccurrences(of: "/", with: "-")).txt")
    }

    static func check(_ id: String, _ run: PipelineRun, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = run.callStack
        let file = path(id)
        if recording {
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try actual.write(toFile: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try? String(contentsOfFile: file, encoding: .utf8)
        #expect(expected != nil, "\(file) is missing: run the tests with CUTOVER_RECORD=1 to record it", sourceLocation: sourceLocation)
        guard let expected else { return }
        let mismatch = zip(expected.split(separator: "\n"), actual.split(separator: "\n")).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(actual == expected, """
            \(id): the call stack differs from \(file)\(mismatch.map { " at line \($0.offset + 1):\n- \($0.element.0)\n+ \($0.element.1)" } ?? " in length")
            (a deliberate change: rerun with CUTOVER_RECORD=1 and review the diff)
            """, sourceLocation: sourceLocation)
    }
}
