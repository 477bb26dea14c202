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
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // C shim: aligned atomic slots, NUMA placement, CPU features, futexes.
        .target(
            name: "CParallax",
            path: "CSupport",
            linkerSettings: [.linkedLibrary("numa")]
        ),
        .target(
            name: "ParallaxConcurrency",
            dependencies: ["CParallax"],
            path: "Sources/ParallaxConcurrency"
        ),
        .target(
            name: "ParallaxExecution",
            dependencies: ["CParallax", "ParallaxConcurrency"],
            path: "Sources/ParallaxExecution"
        ),
        .target(
            name: "ParallaxWorkloads",
            dependencies: ["ParallaxExecution"],
            path: "Sources/ParallaxWorkloads"
        ),
        .target(
            name: "Parallax",
            dependencies: ["ParallaxConcurrency", "ParallaxExecution", "ParallaxWorkloads"],
            path: "Sources/Parallax"
        ),

        // Perf harness and its baselines (never linked into the library).
        .target(
            name: "CPerfBaselines",
            path: "perf/CPerfBaselines",
            linkerSettings: [.linkedLibrary("ck")]
        ),
        .executableTarget(
            name: "parallax-perf",
            dependencies: [
                "Parallax",
                "CPerfBaselines",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "perf/parallax-perf"
        ),

        .testTarget(name: "CParallaxTests", dependencies: ["CParallax"]),
        .testTarget(name: "ParallaxConcurrencyTests", dependencies: ["ParallaxConcurrency"]),
        .testTarget(name: "ParallaxExecutionTests", dependencies: ["ParallaxExecution", "ParallaxWorkloads"]),
        .testTarget(name: "ParallaxWorkloadsTests", dependencies: ["ParallaxExecution", "ParallaxWorkloads"]),
    ],
    swiftLanguageModes: [.v6]
)
