// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
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
    ],
    targets: [
        .target(name: "KalladCore", swiftSettings: swiftSettings),
        .target(
            name: "KalladConfig",
            dependencies: ["KalladCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
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
        .executableTarget(
            name: "kallad",
            dependencies: [
                "KalladCore", "KalladConfig", "KalladCompose", "KalladTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kallad-bench", dependencies: ["KalladCore", "KalladConfig", "KalladTransport"],
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
        .testTarget(name: "KalladTransportTests", dependencies: ["KalladTransport"], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
