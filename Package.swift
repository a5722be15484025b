// swift-tools-version:6.0
import Foundation
import PackageDescription

/// This file's folder: linker flags need absolute paths (the link runs in the build folder).
let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

// One settings block for every target, as in Hummingbird: strict concurrency everywhere.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "cutover",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cutover", targets: ["cutover"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Config model, loading, validation, the release plan. No I/O beyond reading the config file.
        .target(
            name: "CutoverCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Templates -> Jenkinsfiles and job XML; the escaping helpers.
        .target(
            name: "CutoverRender",
            dependencies: ["CutoverCore"],
            swiftSettings: swiftSettings
        ),
        // The raw request layer every remote adapter speaks through, and the retry policy.
        .target(
            name: "CutoverHTTP",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: swiftSettings
        ),
        // The Jenkins REST adapter and registration (create/update only what changed, prune).
        .target(
            name: "CutoverJenkins",
            dependencies: ["CutoverCore", "CutoverRender", "CutoverHTTP"],
            swiftSettings: swiftSettings
        ),
        // AWS Signature Version 4 and credentials: pure, no I/O, checked against botocore.
        .target(
            name: "CutoverSigV4",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The AWS calls cutover makes (ELBv2, ECS, EC2, RDS) over the raw request layer, with retries.
        .target(
            name: "CutoverAWS",
            dependencies: ["CutoverCore", "CutoverHTTP", "CutoverSigV4"],
            swiftSettings: swiftSettings
        ),
        // Shared state: the store contract (local directory, S3 with conditional writes) and the lease lock.
        .target(
            name: "CutoverState",
            dependencies: ["CutoverCore", "CutoverAWS", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The release steps over narrow protocols: provision, promote, rollback, status, cleanup, deploy.
        .target(
            name: "CutoverSteps",
            dependencies: ["CutoverCore", "CutoverAWS", "CutoverRender", "CutoverState", "CutoverLint", "CutoverStatusPage"],
            swiftSettings: swiftSettings
        ),
        // The status page as a model and its HTML (escaped, no I/O), and the console's text bar: one
        // rendering for `cutover serve`'s page and `cutover status --html`.
        .target(name: "CutoverStatusPage", swiftSettings: swiftSettings),
        // Blue/green safety lint of migration SQL: a small SQL lexer and one rule per unsafe change.
        .target(name: "CutoverLint", dependencies: ["CutoverCore"], swiftSettings: swiftSettings),
        // Prisma-compatible migrations on PostgresNIO: the _prisma_migrations bookkeeping, the advisory lock.
        .target(
            name: "CutoverMigrate",
            dependencies: [
                "CutoverCore", "CutoverLint",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // `cutover serve`: the sidecar on Hummingbird — token auth, readiness, reconciling Jenkins with the
        // config as it changes, webhooks, and the operation registry the release steps will run in.
        .target(
            name: "CutoverServer",
            dependencies: [
                "CutoverCore", "CutoverRender", "CutoverHTTP", "CutoverJenkins", "CutoverState", "CutoverStatusPage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The executable: argument parsing and output only.
        .executableTarget(
            name: "cutover",
            dependencies: [
                "CutoverCore", "CutoverRender", "CutoverHTTP", "CutoverJenkins", "CutoverMigrate", "CutoverLint",
                "CutoverAWS", "CutoverSteps", "CutoverState", "CutoverServer", "CutoverStatusPage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            // Release builds link with lld and pack the relative relocations (DT_RELR): the 190 MB static binary's
            // 3.5 MB relocation table becomes 48 KB, which every start (each step, the sidecar) no longer reads
            // and keeps resident. gold, the default, cannot pack them; lld ships with every Swift toolchain for Linux.
            //
            // No dynamic symbol table either: swiftc exports every global symbol of an executable
            // (-export-dynamic), 51,000 of them here, 4.4 MB of .dynsym and .dynstr that the loader maps and
            // reads at each start although nothing looks a symbol of this binary up (no plugins, no dlsym of its
            // own code; Swift's runtime finds types through its metadata sections, its backtracer reads the
            // file's own symbol table). Without it the idle sidecar is 2.7 MiB smaller in bench/serve.py (37.1 to
            // 34.4 MiB), and each start reads 4.4 MB less. Every configuration, so the tests run the binary as it ships.
            //
            // Release builds also lay out first, side by side, the functions the sidecar runs
            // (scripts/symbol-order.txt, written by scripts/symbol-order from a callgrind run of `serve`): the idle
            // daemon runs about 2 MB of code scattered over 33 MB, and the kernel maps 64 KiB around each page it
            // faults in, so scattered code stayed resident many times over (bench/serve.py: idle VmRSS 34.4 to
            // 29.3 MiB). The link orders input sections, which for most code is a source file's .text, not a
            // function: the order is only as fine as that. A symbol the file names but the binary lacks is
            // skipped: a stale list costs memory, never correctness.
            linkerSettings: [
                .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                              "-Xlinker", "--symbol-ordering-file=\(packageDirectory)/scripts/symbol-order.txt",
                              "-Xlinker", "--no-warn-symbol-ordering"],
                             .when(platforms: [.linux], configuration: .release)),
                .unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux])),
            ]
        ),
        // Helpers shared by the test targets: locating the repo, running the built binary, Groovy.
        .target(
            name: "CutoverTesting",
            dependencies: ["CutoverCore", "CutoverHTTP", "CutoverJenkins", "CutoverAWS", "CutoverSteps", "CutoverState"],
            path: "Tests/CutoverTesting",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CutoverCoreTests", dependencies: ["CutoverCore", "CutoverTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverRenderTests", dependencies: ["CutoverRender", "CutoverTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverCLITests", dependencies: ["CutoverCore", "CutoverTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverMigrateTests", dependencies: ["CutoverMigrate", "CutoverTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverHTTPTests", dependencies: ["CutoverHTTP", "CutoverTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverJenkinsTests", dependencies: ["CutoverJenkins", "CutoverRender", "CutoverHTTP", "CutoverTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverSigV4Tests", dependencies: ["CutoverSigV4"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverAWSTests", dependencies: ["CutoverAWS", "CutoverSteps", "CutoverState", "CutoverTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverStateTests", dependencies: ["CutoverState", "CutoverAWS", "CutoverTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CutoverServerTests",
            dependencies: [
                "CutoverServer", "CutoverTesting", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CutoverStatusPageTests", dependencies: ["CutoverStatusPage"], swiftSettings: swiftSettings),
        .testTarget(name: "CutoverLintTests", dependencies: ["CutoverLint", "CutoverTesting"], swiftSettings: swiftSettings),
    ]
)
