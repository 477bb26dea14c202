import ArgumentParser
import CParallaxCore
import CParallaxEd25519
import CSodium
import ParallaxPrecheck
import Synchronization

/// `parallax-perf signature-bench`: Ed25519 verifications per second, ours
/// (single and batched) against libsodium's `crypto_sign_verify_detached`,
/// side by side in one process. `Ed25519Bench` is the measurement itself so
/// that `precheck --algorithm ed25519` can run it with its own options.
struct SignatureBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signature-bench",
        abstract: "Ed25519 verification: our batch and single verifiers vs libsodium.",
        discussion: """
            Every thread verifies --count signatures (distinct keys, --size-byte messages) \
            with each implementation in turn; each is run --repeat times, interleaved, and \
            the median is reported. ratio is ops_per_sec over libsodium's. All signatures \
            are valid, and every verdict is checked.
            """
    )

    @Option(help: "Message bytes (a transaction hash is 32).") var size: Int = 32
    @Option(help: "Signatures per thread per run.") var count: Int = 4096
    @Option(help: "Threads, each verifying its own --count signatures.") var threads: Int = 1
    @Option(help: "Batch sizes, comma-separated.") var batch: String = "64"
    @Option(help: "Runs per implementation; the median is reported.") var `repeat`: Int = 5
    @Option(help: "Batch code path: best (AVX-512 IFMA, else AVX2, where available), avx2 or portable.") var dispatch: String = "best"
    @Flag(help: "Print JSON objects, one per line.") var json = false

    func run() throws {
        let sizes = batch.split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--batch must be a comma-separated list of positive sizes, not '\(batch)'")
        }
        let paths: [String: Ed25519BatchVerifier.Dispatch] = ["best": .best, "avx2": .avx2, "portable": .portable]
        guard let path = paths[dispatch] else {
            throw ValidationError("--dispatch must be best, avx2 or portable, not '\(dispatch)'")
        }
        try Ed25519Bench(
            size: size, count: count, threads: threads, batchSizes: sizes, repeats: `repeat`,
            dispatch: path
        ).run(json: json)
    }
}

struct Ed25519Bench {
    let size: Int
    let count: Int
    let threads: Int
    let batchSizes: [Int]
    let repeats: Int
    var dispatch: Ed25519BatchVerifier.Dispatch = .best

    /// Signed inputs in three flat arrays (no per-signature objects).
    final class Pool: Sendable {
        let keys: [UInt8], signatures: [UInt8], messages: [UInt8]
        let count: Int, size: Int

        init(count: Int, size: Int) {
            precondition(sodium_init() >= 0)
            var keys = [UInt8](), signatures = [UInt8](), messages = [UInt8]()
            var pk = [UInt8](repeating: 0, count: 32), sk = [UInt8](repeating: 0, count: 64)
            var sig = [UInt8](repeating: 0, count: 64), message = [UInt8](repeating: 0, count: size)
            for _ in 0..<count {
                crypto_sign_keypair(&pk, &sk)
                randombytes_buf(&message, size)
                crypto_sign_detached(&sig, nil, message, UInt64(size), sk)
                keys += pk; signatures += sig; messages += message
            }
            (self.keys, self.signatures, self.messages, self.count, self.size) = (keys, signatures, messages, count, size)
        }
    }

    func validate() throws {
        guard size >= 0 else { throw ValidationError("--size must be 0 or more") }
        guard count >= 1, threads >= 1, repeats >= 1 else {
            throw ValidationError("--count, --threads and --repeat must be at least 1")
        }
    }

    func run(json: Bool) throws {
        try validate()
        let pool = Pool(count: count, size: size)
        let impls = ["libsodium_verify", "parallax_single"] + batchSizes.map { "parallax_batch_\($0)" }
        var samples: [String: [Double]] = [:]
        for _ in 0..<repeats {
            for impl in impls {
                let seconds = try measure(impl, pool)
                samples[impl, default: []].append(Double(count * threads) / seconds)
            }
        }
        let medians = samples.mapValues { $0.sorted()[$0.count / 2] }
        let baseline = medians["libsodium_verify"]!
        let dispatchName = switch dispatch {
        case .best: "best"
        case .avx2: "avx2"
        case .portable: "portable"
        }
        let cpu = cpuFeatureNames().joined(separator: " ")
        if !json { print("cpu features: \(cpu)") }
        for impl in impls {
            let rate = medians[impl]!
            let batchSize = impl.hasPrefix("parallax_batch_") ? Int(impl.dropFirst("parallax_batch_".count))! : 1
            let name = batchSize > 1 || impl.hasPrefix("parallax_batch_") ? "parallax_batch" : impl
            if json {
                print(#"{"impl":"\#(name)","scheme":"ed25519","size":\#(size),"batch":\#(batchSize),"threads":\#(threads),"count":\#(count),"runs":\#(repeats),"dispatch":"\#(dispatchName)","cpu":"\#(cpu)","ops_per_sec":\#(Int(rate)),"ratio":\#(rounded(rate / baseline))}"#)
            } else {
                print("\(name.padding(toLength: 17)) batch \(String(batchSize).padding(toLength: 4)) \(threads) thr  \(dispatchName.padding(toLength: 8)) \(formatRate(rate)) verifies/s  ratio \(rounded(rate / baseline))")
            }
        }
    }

    private func measure(_ impl: String, _ pool: Pool) throws -> Double {
        // Relaxed adds and load: the threads are joined (which synchronizes)
        // before the load.
        let failures = Atomic<Int>(0)
        let count = self.count, size = self.size
        let seconds: Double
        switch impl {
        case "libsodium_verify", "parallax_single":
            let ours = impl == "parallax_single"
            // The single verifier follows --dispatch too.
            let features: UInt32 = switch dispatch {
            case .best: px_cpu_features()
            case .avx2: px_cpu_features() & px_cpu_avx2.rawValue
            case .portable: 0
            }
            seconds = runTimedThreads(threads) { _ in
                pool.keys.withUnsafeBufferPointer { k in
                    pool.signatures.withUnsafeBufferPointer { s in
                        pool.messages.withUnsafeBufferPointer { m in
                            var bad = 0
                            for i in 0..<count {
                                let key = k.baseAddress! + 32 * i, sig = s.baseAddress! + 64 * i
                                let message = m.baseAddress.map { $0 + size * i }
                                let ok = ours
                                    ? px_ed25519_verify_with(key, sig, message, size, features) == px_ed25519_valid
                                    : crypto_sign_verify_detached(sig, message, UInt64(size), key) == 0
                                if !ok { bad += 1 }
                            }
                            failures.add(bad, ordering: .relaxed)
                        }
                    }
                }
            }
        default:
            let batchSize = Int(impl.dropFirst("parallax_batch_".count))!
            let dispatch = self.dispatch
            seconds = runTimedThreads(threads) { _ in
                var verifier = Ed25519BatchVerifier(reservingCapacity: batchSize, messageBytes: batchSize * size)
                var generator = SystemRandomNumberGenerator()
                var bad = 0
                pool.keys.withUnsafeBytes { k in
                    pool.signatures.withUnsafeBytes { s in
                        pool.messages.withUnsafeBytes { m in
                            var start = 0
                            while start < count {
                                let end = min(start + batchSize, count)
                                verifier.removeAll()
                                for i in start..<end {
                                    try! verifier.append(
                                        publicKey: UnsafeRawBufferPointer(rebasing: k[(32 * i)..<(32 * i + 32)]),
                                        signature: UnsafeRawBufferPointer(rebasing: s[(64 * i)..<(64 * i + 64)]),
                                        message: UnsafeRawBufferPointer(rebasing: m[(size * i)..<(size * i + size)]))
                                }
                                let verdicts = verifier.verify(using: &generator, dispatch: dispatch)
                                bad += verdicts.count - verdicts.filter(\.isValid).count
                                start = end
                            }
                        }
                    }
                }
                failures.add(bad, ordering: .relaxed)
            }
        }
        let bad = failures.load(ordering: .relaxed)
        guard bad == 0 else { throw ValidationError("\(impl): \(bad) valid signatures were rejected") }
        return seconds
    }
}
