@testable import CutoverRender
import CutoverTesting
import Foundation
import Testing

/// `cutover library --out DIR`: the library alone, at DIR's top level, for teams with their own pipelines.
@Suite("cutover library")
struct LibraryCommandTests {
    @Test func writesTheLibraryAloneAndOwnsOnlyItsShapes() throws {
        let out = try Paths.temporaryDirectory("library-out")
        defer { try? FileManager.default.removeItem(at: out) }
        let first = try CLI.run(["library", "--out", out.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasSuffix("\(out.path): 22 files: 22 created, 0 updated, 0 unchanged, 0 removed\n"))
        // The same bytes `render` writes under library/.
        for file in try Renderer().renderLibrary() {
            let relative = String(file.path.dropFirst("library/".count))
            #expect(try String(contentsOf: out.appendingPathComponent(relative), encoding: .utf8) == file.contents, "\(relative)")
        }
        #expect(try CLI.run(["library", "--out", out.path, "--check"]).stdout == "\(out.path): up to date (22 files)\n")
        // A step the templates no longer have is removed; a file a person put there is not.
        try "x".write(to: out.appendingPathComponent("vars/cutoverOld.groovy"), atomically: true, encoding: .utf8)
        try "notes".write(to: out.appendingPathComponent("NOTES.md"), atomically: true, encoding: .utf8)
        let drift = try CLI.run(["library", "--out", out.path, "--check", "--quiet"])
        #expect(drift.status == 3)
        #expect(drift.stdout == "not rendered: \(out.path)/vars/cutoverOld.groovy\n")
        let again = try CLI.run(["library", "--out", out.path])
        #expect(again.stdout == "removed \(out.path)/vars/cutoverOld.groovy\n\(out.path): 22 files: 0 created, 0 updated, 22 unchanged, 1 removed\n")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("NOTES.md").path))
    }

    @Test func aTemplateOverrideChangesTheLibraryToo() throws {
        let dir = try Paths.temporaryDirectory("library-templates")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("library/vars"), withIntermediateDirectories: true)
        try "<p>Our promote.</p>\n".write(to: dir.appendingPathComponent("library/vars/cutoverPromote.txt.mustache"), atomically: true, encoding: .utf8)
        let templates = try TemplateSet(overrides: dir.path)
        #expect(templates.overridden == ["library/vars/cutoverPromote.txt"])
        let help = try Renderer(templates: templates).renderLibrary().first { $0.path == "library/vars/cutoverPromote.txt" }
        #expect(help?.contents == "<p>Our promote.</p>\n")
    }

    @Test func escapingFollowsTheLibrarysFileTypes() {
        #expect(Renderer.escaping(for: "library/vars/cutoverPromote.groovy") == .groovySingleQuoted)
        #expect(Renderer.escaping(for: "library/vars/cutoverPromote.txt") == .xml)
        #expect(Renderer.escaping(for: "library/resources/org/cutover/exit-codes.txt") == .none)
        #expect(Renderer.escaping(for: "library/README.md") == .none)
        #expect(Renderer.escaping(for: "pipelines/promote") == .groovySingleQuoted)
        #expect(Renderer.escaping(for: "xml/job") == .xml)
    }
}
