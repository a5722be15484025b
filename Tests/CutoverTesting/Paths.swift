import Foundation

/// Locations the tests need: the repository, the built binary, scratch directories.
public enum Paths {
    /// The repository root, found from this file's place in it.
    public static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static func repo(_ relative: String) -> String {
        repository.appendingPathComponent(relative).path
    }

    /// The `cutover` binary built alongside the test bundle (or `CUTOVER_BIN`).
    public static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["CUTOVER_BIN"], !explicit.isEmpty { return explicit }
        // The test bundle runs from the build products directory, next to the executable.
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("cutover").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return repo(".build/debug/cutover")
    }()

    /// A fresh empty directory, removed by the caller's `defer`.
    public static func temporaryDirectory(_ label: String = "cutover") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
