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
    ],
    targets: [
        // C shim: aligned atomic slots, NUMA placement, CPU features, futexes.
        .target(
            name: "CParallax",
            path: "CSupport",
            linkerSettings: [.linkedLibrary("numa"), .linkedLibrary("sodium")]
        ),
        .target(
            name: "ParallaxConcurrency",
            dependencies: ["CParallax"],
            path: "Sources/ParallaxConcurrency"
        ),
        // Reference signature libraries (Debian libsodium-dev, libsecp256k1-dev).
        .systemLibrary(
            name: "CSodium",
            path: "Sources/CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CSecp256k1",
            path: "Sources/CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .target(
            name: "ParallaxPrecheck",
            dependencies: ["CParallax", "ParallaxConcurrency", "CSodium", "CSecp256k1"],
            path: "Sources/ParallaxPrecheck"
        ),
        .target(
            name: "Parallax",
            dependencies: ["ParallaxConcurrency"],
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
                "ParallaxPrecheck",
                "CSodium",
                "CPerfBaselines",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "perf/parallax-perf"
        ),

        .testTarget(name: "CParallaxTests", dependencies: ["CParallax"]),
        .testTarget(name: "ParallaxConcurrencyTests", dependencies: ["ParallaxConcurrency"]),
        .testTarget(
            name: "ParallaxSignatureTests",
            dependencies: ["ParallaxPrecheck", "CParallax", "CSodium", "CSecp256k1"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
