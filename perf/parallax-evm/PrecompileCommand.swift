// `parallax-evm precompile`: calls per second and gas per second of one
// precompile called directly (`EVM.callPrecompile`), and in the same run the
// same call through revm (PyPI's pyrevm, via perf/precompile_revm.py): revm
// is timed on a message call to the precompile and on one to the identity
// precompile with one byte, and that per-call overhead (Python and the
// transaction around the call) is subtracted before the ratio is taken.
// For `kzg`, ckzg's `verify_kzg_proof` (blst inside) is timed as well.

import ArgumentParser
import Foundation
import ParallaxEthereum
import ParallaxEVM

struct PrecompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precompile",
        abstract: "Precompile calls per second, side by side with revm (and ckzg for kzg).",
        discussion: "Names: \(PrecompileBench.all.map(\.name).joined(separator: ", ")), or all."
    )

    @Option(help: "Precompile to measure (or all).") var name = "all"
    @Option(help: "Input as hex instead of the built-in one (a valid call).") var input: String?
    @Option(help: "Calls per measurement (0: enough for about a second).") var calls = 0
    @Option(help: "Measurements; the median is reported.") var rounds = 3
    @Option(help: "The revm side: a Python script with pyrevm (empty: skip revm).")
    var revmScript = "perf/precompile_revm.py"
    @Option(help: "The KZG trusted setup for ckzg (the mainnet ceremony's, text format).")
    var trustedSetup = "Tests/precompiles/kzg/trusted_setup.txt"
    @Flag(help: "One JSON object per precompile, one per line.") var json = false

    func run() throws {
        let chosen = name == "all" ? PrecompileBench.all : PrecompileBench.all.filter { $0.name == name }
        guard !chosen.isEmpty else { throw ValidationError("unknown precompile \(name)") }
        let evm = EVM(fork: .cancun)
        if !json { print("precompile calls/s (ours, direct) vs revm (message call less its overhead); \(cpuFlags())") }
        for bench in chosen {
            let data = try input.map { try Hex.decode($0) } ?? bench.input
            let address = Address(hi: 0, mid: 0, lo: bench.index)
            guard case .success(let gasUsed, _)? = try evm.callPrecompile(address, input: data, gas: 100_000_000) else {
                throw ValidationError("\(bench.name): the input does not make a successful call")
            }
            let n = calls > 0 ? calls : try calibrate(evm, address, data)
            var rates: [Double] = []
            for _ in 0..<max(1, rounds) {
                let start = ContinuousClock.now
                for _ in 0..<n { _ = try evm.callPrecompile(address, input: data, gas: 100_000_000) }
                rates.append(Double(n) / BenchERC20Command.seconds(ContinuousClock.now - start))
            }
            let ours = median(rates)
            var object: [String: Any] = [
                "name": bench.name, "calls_per_sec": ours.rounded(), "gas_per_sec": (ours * Double(gasUsed)).rounded(),
                "gas": gasUsed,
            ]
            if !revmScript.isEmpty {
                let revm = try runRevm(bench, data, calls: n)
                for (key, value) in revm { object[key] = value }
                if let revmRate = revm["revm_calls_per_sec"] as? Double, revmRate > 0 {
                    object["ratio"] = (ours / revmRate * 100).rounded() / 100
                }
                if let ckzg = revm["ckzg_calls_per_sec"] as? Double, ckzg > 0 {
                    object["ckzg_ratio"] = (ours / ckzg * 100).rounded() / 100
                }
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                var line = "\(bench.name.padding(toLength: 13, withPad: " ", startingAt: 0)) ours \(format(ours))/s"
                if let revm = object["revm_calls_per_sec"] as? Double {
                    line += "  revm \(format(revm))/s (overhead \(object["revm_overhead_us"] ?? "?") µs)  ratio \(object["ratio"] ?? "?")"
                }
                if let ckzg = object["ckzg_calls_per_sec"] as? Double {
                    line += "  ckzg \(format(ckzg))/s  ratio \(object["ckzg_ratio"] ?? "?")"
                }
                print(line)
            }
        }
    }

    private func calibrate(_ evm: EVM, _ address: Address, _ data: [UInt8]) throws -> Int {
        var n = 1
        while true {
            let start = ContinuousClock.now
            for _ in 0..<n { _ = try evm.callPrecompile(address, input: data, gas: 100_000_000) }
            let elapsed = BenchERC20Command.seconds(ContinuousClock.now - start)
            if elapsed > 0.2 { return max(1, Int(Double(n) / elapsed)) }
            n *= 4
        }
    }

    private func runRevm(_ bench: PrecompileBench, _ data: [UInt8], calls: Int) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", revmScript, "--address", String(bench.index), "--input", Hex.encode(data, prefix: false),
                         "--calls", String(min(max(calls / 4, 50), 20_000)), "--rounds", String(max(1, rounds))]
        if bench.name == "kzg" { arguments += ["--ckzg", trustedSetup] }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: output) as? [String: Any]
        else { throw ValidationError("\(revmScript) failed for \(bench.name) (exit \(process.terminationStatus))") }
        return object
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    private func format(_ rate: Double) -> String {
        rate >= 1e6 ? String(format: "%.2f M", rate / 1e6) : rate >= 1e3 ? String(format: "%.1f k", rate / 1e3) : String(format: "%.0f", rate)
    }
    private func cpuFlags() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ").map(String.init)) } ?? []
        let shown = ["avx2", "bmi2", "adx", "sha_ni", "avx512f", "avx512ifma"].filter { flags.contains($0) }
        return "cpu flags: " + shown.joined(separator: " ")
    }
}

/// A precompile and a representative valid input for it.
struct PrecompileBench {
    let name: String
    let index: UInt64
    let input: [UInt8]

    static let all: [PrecompileBench] = [
        // ecrecover of a known signature (ethereum/tests' example sender a94f53...).
        PrecompileBench(name: "ecrecover", index: 1, input: hex(
            "abdb0448722fb4e1552eb264fd4dcc126061920ac0a26ef6cc9d4f13f8291665"
                + "000000000000000000000000000000000000000000000000000000000000001b"
                + "692e3d4bdebafebcf7b64777ff7db213722fcf5cd5289b9067c26927671d191f"
                + "435df4cf68b7b03bf3fa4b3fd7f49b13b59bc880b24ef9210b55b311239356dd")),
        PrecompileBench(name: "sha256", index: 2, input: [UInt8](repeating: 0x61, count: 128)),
        PrecompileBench(name: "ripemd160", index: 3, input: [UInt8](repeating: 0x61, count: 128)),
        PrecompileBench(name: "identity", index: 4, input: [UInt8](repeating: 0x61, count: 128)),
        // EIP-198's example, the common mainnet shape (a field inversion by
        // Fermat): 3^(p-1) mod p for the 256-bit secp256k1 prime.
        PrecompileBench(name: "modexp", index: 5, input: hex(
            "0000000000000000000000000000000000000000000000000000000000000001"
                + "0000000000000000000000000000000000000000000000000000000000000020"
                + "0000000000000000000000000000000000000000000000000000000000000020"
                + "03"
                + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
                + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")),
        // Two G1 points and a G1 point with a scalar, made with py_ecc (random multiples of G1).
        PrecompileBench(name: "bn254add", index: 6, input: hex(
            "2cd847de2a8dc099a81fea7c3130b1f7abb93f663d7a9821e2860f9fda5651f7060be4648a6424f7a7462d098f1ac7a334a96e671740bb90ddad3c2078769f1f"
                + "2bab8ab564281a7883b5de1ef3cc32dd9f778ce458eabfc44a105a57b82d25c12a7198d9e673831fdce229036b8b9d5538cb6e98bc2be99a4410e1ed628d34c2")),
        PrecompileBench(name: "bn254mul", index: 7, input: hex(
            "0d339016a75b9184e610035572e4680957abe589bae7e0945a4dd81a0d272eb02dad7edf929e44892a2a7c6179c72b69e45cb207a355d9d3adcdd19205b7e2d6"
                + "09a0ac86ae4b50a2bdb34903b0a1885b70e9f528e871cb4b6ce3f756894d8c65")),
        // Two pairs whose product is one: e(aG1, cG2) * e(-acG1, G2), made with py_ecc.
        PrecompileBench(name: "bn254pairing", index: 8, input: hex(
            "012f428b519194bce797a6353c4b21ebe32814b8ef6a5fcebaf20a8856e35d9705749809d5b08727c823cb08f063222091f8827947ee326e00903a586e296aca"
                + "074005f9627e05eac4b5893b80178ef0ca4d04f83663bbf3b2810fea702a2ebf200c47274a605642924506bee5f986b3417307bff5e3c209ab877e9c3b7106a5"
                + "1b1eeb39b857faff260aa44ccf28d0f77fb7d48e6c849c725a02a84f060f21d10749a1274f2ff327abf3beea2e787e1842472ceeb8e87200232b358df736e683"
                + "2225ef003c853e8634474c8ec1d8d30f3592e4526ba9ed9e0d91a887aeaced892ee8bd7489b09f4133ebcf4bb0f77c3d38ed757a7c532db444e6707c066c3e87"
                + "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
                + "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa")),
        // BLAKE2b's 12 rounds on one final block, "abc" (EIP-152's vector 5).
        PrecompileBench(name: "blake2f", index: 9, input: blake2fAbc()),
        // A correct proof with a non-trivial commitment and proof, from the
        // consensus specs' verify_kzg_proof vectors (in the Cancun state tests'
        // point_evaluation_precompile_external_vectors, case correct_proof_1ce8e4f69d5df899).
        PrecompileBench(name: "kzg", index: 10, input: hex(
            "01ad7666ef9d8f53b5adf54f029b13b6f171b1d0bd346a2ede315d3e243484ef"
                + "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000"
                + "0000000000000000000000000000000000000000000000000000000000000000"
                + "93efc82d2017e9c57834a1246463e64774e56183bb247c8fc9dd98c56817e878d97b05f5c8d900acf1fbbbca6f146556"
                + "92c51ff81dd71dab71cefecd79e8274b4b7ba36a0f40e2dc086bc4061c7f63249877db23297212991fd63e07b7ebc348")),
    ]

    /// rounds (12) ‖ h (BLAKE2b-512's parameter block xor IV) ‖ m ("abc") ‖ t (3) ‖ f (1).
    private static func blake2fAbc() -> [UInt8] {
        var h: [UInt64] = [
            0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
            0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
        ]
        h[0] ^= 0x0101_0040
        func le(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let message = [0x61, 0x62, 0x63] + [UInt8](repeating: 0, count: 125)
        return [0, 0, 0, 12] + h.flatMap(le) + message + le(3) + le(0) + [1]
    }

    private static func hex(_ text: String) -> [UInt8] {
        guard let bytes = try? Hex.decode(text) else { fatalError("bad built-in hex") }
        return bytes
    }
}
