import CutoverCore
import CutoverTesting
import Foundation
import Testing

@Suite("Unified diff")
struct UnifiedDiffTests {
    /// GNU diff is the oracle: our hunks must be exactly what `diff -u` prints for the same texts.
    @Test(arguments: [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n", "1\n2\nx\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n14\n15\nnew\n"),
        ("", "only\n"),
        ("gone\n", ""),
        ("same\nlines\n", "same\nlines\nplus\n"),
    ])
    func matchesGNUDiff(old: String, new: String) throws {
        let dir = try Paths.temporaryDirectory("diff")
        defer { try? FileManager.default.removeItem(at: dir) }
        try old.write(to: dir.appendingPathComponent("old"), atomically: true, encoding: .utf8)
        try new.write(to: dir.appendingPathComponent("new"), atomically: true, encoding: .utf8)
        let gnu = try Subprocess.run("/usr/bin/diff", ["-u", "--label", "old", "--label", "new", "old", "new"], directory: dir.path)
        #expect(UnifiedDiff.diff(old: old, new: new, oldLabel: "old", newLabel: "new") == gnu.stdout)
    }

    @Test func equalTextsHaveNoDiff() {
        #expect(UnifiedDiff.diff(old: "x\n", new: "x\n", oldLabel: "a", newLabel: "b") == "")
    }
}
