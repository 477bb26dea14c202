// swift-tools-version:6.0
import PackageDescription

// Module map and layering: see DESIGN.md. Each module imports only modules
// listed before it here.
let package = Package(
    name: "Parallax",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Parallax", targets: ["Parallax"]),
        .executable(name: "parallax-perf", targets: ["parallax-perf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C shim: aligned atomic slots, NUMA placement, CPU features, futexes.
        .target(
            name: "CParallax",
            path: "CSupport",
            linkerSettings: [.linkedLibrary("numa"), .linkedLibrary("hwloc")]
        ),
        .target(
            name: "ParallaxConcurrency",
            dependencies: ["CParallax"],
            path: "Sources/ParallaxConcurrency"
        ),
        // Prechecks: batched hashing (SIMD kernels in CParallax), the envelope.
        .target(
            name: "ParallaxPrecheck",
            dependencies: ["CParallax", "ParallaxConcurrency"],
            path: "Sources/ParallaxPrecheck"
        ),
        .target(
            name: "ParallaxTopology",
            dependencies: ["CParallax", "ParallaxConcurrency"],
            path: "Sources/ParallaxTopology"
        ),
        // The only module that sees TOMLKit and Foundation.
        .target(
            name: "ParallaxConfig",
            dependencies: ["ParallaxTopology", .product(name: "TOMLKit", package: "TOMLKit")],
            path: "Sources/ParallaxConfig"
        ),
        .target(
            name: "Parallax",
            dependencies: ["ParallaxConcurrency", "ParallaxTopology", "ParallaxPrecheck"],
            path: "Sources/Parallax"
        ),

        // Perf harness and its baselines (never linked into the library).
        .target(
            name: "CPerfBaselines",
            path: "perf/CPerfBaselines",
            linkerSettings: [.linkedLibrary("ck"), .linkedLibrary("crypto")]
        ),
        .executableTarget(
            name: "parallax-perf",
            dependencies: [
                "Parallax",
                "CParallax",
                "CPerfBaselines",
                "ParallaxConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "perf/parallax-perf"
        ),

        .testTarget(name: "CParallaxTests", dependencies: ["CParallax"]),
        // Optimized even in debug builds: the stress tests move millions of
        // items through the queue's inlinable fast paths.
        .testTarget(
            name: "ParallaxConcurrencyTests",
            dependencies: ["ParallaxConcurrency"],
            swiftSettings: [.unsafeFlags(["-O"])]
        ),
        // OpenSSL's libcrypto as a reference for the hash tests only.
        .systemLibrary(name: "COpenSSLCrypto", path: "Tests/COpenSSLCrypto"),
        .testTarget(name: "ParallaxPrecheckTests", dependencies: ["ParallaxPrecheck", "COpenSSLCrypto"]),
        .testTarget(name: "ParallaxTopologyTests", dependencies: ["ParallaxTopology"], exclude: ["Fixtures"]),
        .testTarget(name: "ParallaxConfigTests", dependencies: ["ParallaxConfig", "ParallaxTopology", "CParallax"]),
    ],
    swiftLanguageModes: [.v6]
)
