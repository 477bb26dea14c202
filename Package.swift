// swift-tools-version:6.0
import PackageDescription

// Module map and layering: see docs/architecture.md. Each module imports only modules
// listed before it here.
//
// The package builds on Linux only: the C shim parks threads on futexes
// (linux/futex.h), places memory with libnuma and reads the machine with hwloc.
let package = Package(
    name: "Parallax",
    products: [
        .library(name: "Parallax", targets: ["Parallax"]),
        .executable(name: "parallax-perf", targets: ["parallax-perf"]),
        .executable(name: "parallax-evm", targets: ["parallax-evm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // `swift package generate-documentation` (make docs): the DocC catalog of Parallax.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The C shim, one target per concern, each linking only its own library.
        // Core: typed-order atomics, aligned slot arrays on NUMA nodes, futex
        // parking, CPU features. The only C target the execution core links.
        .target(
            name: "CParallaxCore",
            path: "CSupport/CParallaxCore",
            linkerSettings: [.linkedLibrary("numa")]
        ),
        // Machine discovery (hwloc) and thread pinning.
        .target(
            name: "CParallaxTopology",
            path: "CSupport/CParallaxTopology",
            linkerSettings: [.linkedLibrary("hwloc")]
        ),
        // Batched Keccak-256/SHA-256 kernels, dispatched on Core's CPU features.
        .target(
            name: "CParallaxHash",
            dependencies: ["CParallaxCore"],
            path: "CSupport/CParallaxHash"
        ),
        // Ed25519 verification kernels; libsodium gives them SHA-512 and ChaCha20.
        .target(
            name: "CParallaxEd25519",
            dependencies: ["CParallaxCore"],
            path: "CSupport/CParallaxEd25519",
            linkerSettings: [.linkedLibrary("sodium")]
        ),
        // The arithmetic of the EVM precompiles 0x05-0x0a: modexp on GMP
        // (Debian libgmp-dev), bn254, BLAKE2b F, BLS12-381 and KZG.
        .target(
            name: "CParallaxPrecompiles",
            dependencies: ["CParallaxCore"],
            path: "CSupport/CParallaxPrecompiles",
            linkerSettings: [.linkedLibrary("gmp")]
        ),
        .target(
            name: "ParallaxConcurrency",
            dependencies: ["CParallaxCore"],
            path: "Sources/ParallaxConcurrency"
        ),
        .target(
            name: "ParallaxTopology",
            dependencies: ["CParallaxCore", "CParallaxTopology", "ParallaxConcurrency"],
            path: "Sources/ParallaxTopology"
        ),
        // The only module that sees TOMLKit and Foundation.
        .target(
            name: "ParallaxConfig",
            dependencies: ["ParallaxTopology", .product(name: "TOMLKit", package: "TOMLKit")],
            path: "Sources/ParallaxConfig"
        ),
        // What a VM implements and calls: the transaction contract, state keys
        // and values, events, gas schedules, deltas, declarations. No engine inside.
        .target(name: "ParallaxVMInterface", path: "Sources/ParallaxVMInterface"),
        .target(
            name: "ParallaxExecution",
            dependencies: ["CParallaxCore", "ParallaxConcurrency", "ParallaxTopology", "ParallaxVMInterface"],
            path: "Sources/ParallaxExecution"
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
        // Prechecks: batched hashing (CParallaxHash), signatures (CParallaxEd25519), the envelope.
        .target(
            name: "ParallaxPrecheck",
            dependencies: [
                "CParallaxCore", "CParallaxHash", "CParallaxEd25519", "ParallaxConcurrency", "ParallaxTopology",
                "CSodium", "CSecp256k1",
            ],
            path: "Sources/ParallaxPrecheck"
        ),
        // The built-in contracts (token, payment, swap, collectible, custody) on the VM interface.
        .target(
            name: "ParallaxContracts",
            dependencies: ["ParallaxVMInterface"],
            path: "Sources/ParallaxContracts"
        ),
        // The benchmark side: seeded block generators over the contracts, calibrated busy work.
        .target(
            name: "ParallaxWorkloads",
            dependencies: ["ParallaxContracts", "ParallaxExecution"],
            path: "Sources/ParallaxWorkloads"
        ),
        // Ethereum data: 256-bit words, RLP, the Merkle Patricia Trie, transactions, forks.
        .target(
            name: "ParallaxEthereum",
            dependencies: ["CParallaxCore", "CParallaxHash", "CSecp256k1"],
            path: "Sources/ParallaxEthereum"
        ),
        // The EVM: interpreter, gas, precompiles, transaction processing.
        .target(
            name: "ParallaxEVM",
            dependencies: ["ParallaxEthereum", "ParallaxVMInterface", "CParallaxHash", "CParallaxPrecompiles", "CSecp256k1"],
            path: "Sources/ParallaxEVM"
        ),
        // Ethereum blocks on the Parallax executors: receipts, bloom, rewards, withdrawals, forks by number.
        .target(
            name: "ParallaxEthereumBlocks",
            dependencies: ["ParallaxEthereum", "ParallaxEVM", "ParallaxExecution", "ParallaxVMInterface"],
            path: "Sources/ParallaxEthereumBlocks"
        ),
        // Durable state (Debian liblmdb-dev).
        .systemLibrary(
            name: "CLMDB",
            path: "Sources/CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(
            name: "ParallaxState",
            dependencies: ["CLMDB", "ParallaxExecution"],
            path: "Sources/ParallaxState"
        ),
        // The Ethereum state trie kept across blocks: incremental, level-by-level
        // batched Keccak on the executors' worker pool, nodes durable in a StateStore.
        .target(
            name: "ParallaxTrie",
            dependencies: ["CParallaxHash", "ParallaxEthereum", "ParallaxExecution", "ParallaxState", "ParallaxTopology"],
            path: "Sources/ParallaxTrie"
        ),
        // Commits erc20 blocks to an LMDB store until killed (the crash-safety test's child).
        .executableTarget(
            name: "parallax-crash-child",
            dependencies: ["ParallaxState", "ParallaxWorkloads"],
            path: "Tests/CrashChild"
        ),
        .target(
            name: "Parallax",
            dependencies: [
                "ParallaxConcurrency", "ParallaxTopology", "ParallaxConfig", "ParallaxVMInterface", "ParallaxExecution",
                "ParallaxPrecheck", "ParallaxState", "ParallaxContracts", "CSodium",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
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
                "CParallaxCore",
                "CParallaxEd25519",
                "ParallaxConcurrency",
                "ParallaxTopology",
                "ParallaxPrecheck",
                "ParallaxWorkloads",
                "CSodium",
                "CPerfBaselines",
                "ParallaxConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "perf/parallax-perf"
        ),

        // The EVM tool: state tests (later block replay and benchmarks), like revm's revme.
        .executableTarget(
            name: "parallax-evm",
            dependencies: [
                "ParallaxEVM",
                "ParallaxEthereum",
                "ParallaxEthereumBlocks",
                "ParallaxExecution",
                "ParallaxTrie",
                "ParallaxState",
                "ParallaxTopology",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "perf/parallax-evm"
        ),

        // The seeded generator every randomized test shares.
        .target(name: "ParallaxTestSupport", path: "Tests/Support"),
        .testTarget(name: "CParallaxTests", dependencies: ["CParallaxCore"]),
        // Optimized even in debug builds: the stress tests move millions of
        // items through the queue's inlinable fast paths.
        .testTarget(
            name: "ParallaxConcurrencyTests",
            dependencies: ["ParallaxConcurrency", "ParallaxTestSupport"],
            swiftSettings: [.unsafeFlags(["-O"])]
        ),
        // OpenSSL's libcrypto as a reference for the hash tests only.
        .systemLibrary(name: "COpenSSLCrypto", path: "Tests/COpenSSLCrypto"),
        .testTarget(
            name: "ParallaxPrecheckTests",
            dependencies: [
                "ParallaxPrecheck", "ParallaxTopology", "CParallaxCore", "COpenSSLCrypto", "CSodium", "CSecp256k1",
                "ParallaxTestSupport",
            ]
        ),
        .testTarget(name: "ParallaxTopologyTests", dependencies: ["ParallaxTopology", "ParallaxTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ParallaxConfigTests", dependencies: ["ParallaxConfig", "ParallaxTopology", "CParallaxCore"]),
        .testTarget(
            name: "ParallaxSignatureTests",
            dependencies: ["ParallaxPrecheck", "CParallaxCore", "CParallaxEd25519", "CSodium", "CSecp256k1", "ParallaxTestSupport"]
        ),
        .testTarget(name: "ParallaxEthereumTests", dependencies: ["ParallaxEthereum", "ParallaxTestSupport"], exclude: ["uint256_reference.py"]),
        .testTarget(
            name: "ParallaxTrieTests",
            dependencies: ["ParallaxTrie", "ParallaxEthereum", "ParallaxState", "ParallaxExecution", "ParallaxTopology", "ParallaxTestSupport"],
            exclude: ["hexary_trie_reference.py"]
        ),
        .testTarget(name: "ParallaxEVMTests", dependencies: ["ParallaxEVM", "ParallaxEthereum", "ParallaxTestSupport"]),
        .testTarget(
            name: "ParallaxEthereumBlocksTests",
            dependencies: ["ParallaxEthereumBlocks", "ParallaxEVM", "ParallaxEthereum", "ParallaxExecution", "ParallaxTestSupport"]
        ),
        .testTarget(name: "ParallaxExecutionTests", dependencies: ["ParallaxExecution", "ParallaxTopology", "ParallaxWorkloads", "CParallaxCore"]),
        .testTarget(name: "ParallaxWorkloadsTests", dependencies: ["ParallaxExecution", "ParallaxContracts", "ParallaxWorkloads"]),
        .testTarget(
            name: "ParallaxPipelineTests",
            dependencies: [
                "Parallax",
                "ParallaxPrecheck",
                "ParallaxWorkloads",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        // The crash test spawns parallax-crash-child from the build directory.
        .testTarget(name: "ParallaxStateTests", dependencies: ["ParallaxState", "ParallaxExecution", "ParallaxWorkloads"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets (Fuzz/, docs/fuzzing.md) exist only when scripts/fuzz.sh
// evaluates this manifest with PARALLAX_FUZZ set: their entry point is libFuzzer's
// `main`, which only a `--sanitize=fuzzer` build links, so an ordinary `swift build`
// or `swift build --build-tests` must not see them; and no product names them, so
// nothing that links Parallax links them.
if Context.environment["PARALLAX_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "parallax-fuzz",
        dependencies: [
            "ParallaxPrecheck", "ParallaxConfig", "ParallaxTopology", "ParallaxEthereum", "ParallaxEVM",
            "ParallaxEthereumBlocks", "ParallaxExecution", "ParallaxVMInterface", "CSodium",
        ],
        path: "Fuzz/Sources/parallax-fuzz"
    ))
}
