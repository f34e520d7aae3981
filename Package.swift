// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // A section per function in release builds comes from scripts/release-build.sh, for every module alike (see
    // daemonReleaseLinking below).
]

/// How the release `kallad` binary is linked, for a small idle daemon (issue 5; README, "Memory"): the Swift
/// runtime, Foundation and libstdc++ linked in statically (no 20 MB of shared libraries mapped and relocated), lld
/// laying out first the functions that a daemon in service runs (scripts/link/kallad.order, made by
/// scripts/link/refresh-order.sh), so the pages the kernel maps around each one it runs hold other functions it
/// runs instead of their neighbours; relative relocations packed (DT_RELR, glibc 2.36+), and no exported symbol
/// table. The order works at function grain only when every module is compiled with a section per function,
/// which scripts/release-build.sh asks for (the dependencies too). A stale order file (names that no longer
/// exist, new functions missing) costs memory, never the build.
let daemonReleaseLinking: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld", "-static-stdlib",
            // libstdc++ too, by a linker script that names the archive (scripts/link/static-libstdc++).
            "-L\(Context.packageDirectory)/scripts/link/static-libstdc++",
            // The Foundation archives the static Swift libraries need, which autolinking leaves out.
            "-lFoundation", "-lCoreFoundation", "-lFoundationEssentials", "-lFoundationInternationalization",
            "-l_FoundationCShims", "-l_FoundationICU", "-l_FoundationCollections", "-lswiftDispatch", "-ldispatch",
            "-lBlocksRuntime",
            "-Xlinker", "--no-export-dynamic",
            "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/link/kallad.order",
            "-Xlinker", "--no-warn-symbol-ordering",
            // The functions without a symbol (closure destroyers, thunks), which the order file cannot name,
            // together just before .text.
            "-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/scripts/link/kallad-text.ld",
        ],
        .when(platforms: [.linux], configuration: .release)
    ),
]

let package = Package(
    name: "Kallad",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kallad", targets: ["kallad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Resolved already through Hummingbird; named here for the trigger route's channel handler (KalladDaemon).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        .target(name: "KalladCore", swiftSettings: swiftSettings),
        .target(
            name: "KalladConfig",
            dependencies: ["KalladCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // libcurl's headers (libcurl4-openssl-dev, scripts/setup.sh) and a loader of libcurl.so.4 on first use:
        // Kallad does not link libcurl (Sources/CCurl/loader.c says why).
        .target(name: "CCurl"),
        .target(
            name: "KalladTransport", dependencies: ["KalladCore", "CCurl"], swiftSettings: swiftSettings
        ),
        .target(
            name: "KalladCompose",
            dependencies: [
                "KalladCore", .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KalladStore",
            dependencies: [
                "KalladCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KalladDaemon",
            dependencies: [
                "KalladCore", "KalladConfig", "KalladCompose", "KalladTransport", "KalladStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kallad",
            dependencies: [
                "KalladCore", "KalladConfig", "KalladCompose", "KalladTransport", "KalladStore", "KalladDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: daemonReleaseLinking
        ),
        .executableTarget(
            name: "kallad-bench", dependencies: ["KalladCore", "KalladConfig", "KalladTransport"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kallad-drill", dependencies: ["KalladCore", "KalladStore", "KalladDaemon", "KalladTransport"],
            swiftSettings: swiftSettings
        ),
        // The Python-oracle runner the test targets share (test targets cannot share source files).
        .target(name: "KalladTestSupport", path: "Tests/KalladTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "KalladCoreTests", dependencies: ["KalladCore", "KalladTestSupport"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalladConfigTests", dependencies: ["KalladConfig", "KalladTestSupport"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalladComposeTests", dependencies: ["KalladCompose", "KalladTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalladTransportTests", dependencies: ["KalladTransport", "KalladTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalladStoreTests",
            dependencies: ["KalladStore", "KalladTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KalladDaemonTests",
            dependencies: [
                "KalladDaemon", "KalladTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
