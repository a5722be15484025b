import CutoverTesting
import Foundation
import Testing

/// Golden rendered files under Tests/Fixtures/rendered/, compared exactly and rewritten only when
/// `CUTOVER_RECORD=1` is set (as the call stacks are).
enum RenderedGolden {
    static func check(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = Paths.repo("Tests/Fixtures/rendered/\(name)")
        if CallStackGolden.recording {
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try actual.write(toFile: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try? String(contentsOfFile: file, encoding: .utf8)
        #expect(expected != nil, "\(file) is missing: run the tests with CUTOVER_RECORD=1 to record it", sourceLocation: sourceLocation)
        #expect(expected == nil || actual == expected, "\(name) differs from \(file) (a deliberate change: rerun with CUTOVER_RECORD=1 and review the diff)",
                sourceLocation: sourceLocation)
    }
}
