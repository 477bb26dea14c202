import ArgumentParser
import CParallaxEd25519
import CPerfBaselines
import Parallax
import ParallaxPrecheck
import Synchronization

/// `parallax-perf precheck`: precheck throughput, ours and the library
/// baseline side by side in one process.
///
/// Each algorithm is a `PrecheckBench`: it prepares its inputs once, then
/// runs a slice of them through ours or through the baseline. Adding an
/// algorithm is a case in `PrecheckAlgorithm` and one bench type.
struct PrecheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precheck",
        abstract: "Precheck throughput: Parallax's batched kernels vs the libraries' single-message paths.",
        discussion: """
            keccak256, sha256: --count messages of --size random bytes are hashed per run, split \
            evenly over --threads threads, each hashing its share in calls of --batch messages \
            (default 1024). Baselines: keccak256 → OpenSSL SHA3-256 through EVP with a reused \
            context (same sponge, other padding byte); sha256 → OpenSSL SHA256_Init/Update/Final \
            (SHA-NI where present). \
            ed25519: --count signatures of --size-byte messages (default 32, a transaction hash), \
            split over --threads threads, verified by libsodium's crypto_sign_verify_detached (the \
            baseline), our single verifier and our batch verifier in batches of --batch (default 64). \
            stage: the whole precheck stage on a block of --count Ed25519 transactions with \
            --size-byte payloads, --bad-fraction of them corrupted, run on a pool of --threads \
            precheck workers (pinned unless --unpinned; or the calling thread with --inline), in chunks of --batch (default \
            64); baseline: a per-transaction loop (decode, one Keccak-256, rules, libsodium verify) \
            on as many threads. Every run must reject exactly the corrupted transactions. \
            Ours and the baseline run --repeat times, interleaved, and the median rate is \
            reported with ratio = ours / baseline; per_core is the rate divided by the threads.
            """
    )

    @Option(help: "keccak256, sha256, ed25519 or stage.") var algorithm: PrecheckAlgorithm
    @Option(help: "Message size in bytes (ed25519: message; stage: payload). Default 64, ed25519 32.") var size: Int?
    @Option(help: "Messages, signatures or transactions per run (default 1000000; ed25519 4096; stage 16384).")
    var count: Int?
    @Option(help: "Threads sharing the work (stage: precheck workers).") var threads: Int = 1
    @Option(help: "Messages per call (default 1024); signatures per batch or transactions per chunk (default 64).")
    var batch: Int?
    @Option(help: "stage: share of transactions corrupted (malformed or badly signed), 0 to 1 (default 0.01).") var badFraction: Double?
    @Flag(help: "stage: run the chunks on the calling thread instead of a worker pool.") var inline = false
    @Flag(help: "stage: do not pin the pool's workers (nor the calling thread).") var unpinned = false
    @Option(help: "Runs per implementation; the median is reported.") var `repeat`: Int = 5
    @Option(help: "Force one of our kernels (scalar, avx2, avx512, sha-ni) instead of dispatch.")
    var kernel: String? = nil
    @Flag(help: "Print JSON objects, one per line.") var json = false

    func validate() throws {
        guard size.map({ $0 >= 0 }) ?? true else { throw ValidationError("--size must be 0 or more") }
        guard count.map({ $0 >= 1 }) ?? true else { throw ValidationError("--count must be at least 1") }
        guard threads >= 1, threads <= count ?? 1 << 20 else { throw ValidationError("--threads must be between 1 and --count") }
        guard batch.map({ $0 >= 1 }) ?? true else { throw ValidationError("--batch must be at least 1") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard badFraction.map({ $0 >= 0 && $0 <= 1 }) ?? true else { throw ValidationError("--bad-fraction must be between 0 and 1") }
        if let kernel {
            guard algorithm == .keccak256 || algorithm == .sha256 else {
                throw ValidationError("--kernel applies to keccak256 and sha256 only")
            }
            guard HashKernel(rawValue: kernel) != nil else {
                throw ValidationError("--kernel must be one of \(HashKernel.allCases.map(\.rawValue).joined(separator: ", ")), not '\(kernel)'")
            }
        }
        if algorithm != .stage, inline || unpinned || badFraction != nil {
            throw ValidationError("--inline, --unpinned and --bad-fraction apply to --algorithm stage only")
        }
    }

    func run() throws {
        switch algorithm {
        case .keccak256:
            try runDigest(.keccak256, size: size ?? 64, count: count ?? 1_000_000, batch: batch ?? 1024)
        case .sha256:
            try runDigest(.sha256, size: size ?? 64, count: count ?? 1_000_000, batch: batch ?? 1024)
        case .ed25519:
            let count = self.count ?? 4096
            // Ed25519Bench gives every thread its own --count: hand it this command's share.
            try Ed25519Bench(size: size ?? 32, count: Swift.max(1, count / threads), threads: threads,
                             batchSizes: [batch ?? Int(PX_ED25519_CHUNK)], repeats: `repeat`).run(json: json)
        case .stage:
            try StageBench(count: count ?? 16_384, threads: threads, inline: inline, unpinned: unpinned, payloadBytes: size ?? 64,
                           badFraction: badFraction ?? 0.01, chunkSize: batch ?? PrecheckStage.defaultChunkSize,
                           repeats: `repeat`).run(json: json)
        }
    }

    private func runDigest(_ hash: HashAlgorithm, size: Int, count: Int, batch: Int) throws {
        let bench: any PrecheckBench = try DigestBench(hash, kernel: kernel.flatMap(HashKernel.init(rawValue:)),
                                                       size: size, count: count)
        try bench.check()
        let shares = (0..<threads).map { thread in (count * thread / threads)..<(count * (thread + 1) / threads) }
        var rates: [[Double]] = [[], []]
        for _ in 0..<`repeat` {
            for (slot, ours) in [true, false].enumerated() {
                let seconds = runTimedThreads(threads) { thread in
                    bench.run(ours: ours, range: shares[thread], batch: batch)
                }
                rates[slot].append(Double(count) / seconds)
            }
        }
        let medians = rates.map { $0.sorted()[$0.count / 2] }
        let names = [bench.oursName, bench.baselineName]
        for (slot, name) in names.enumerated() {
            let rate = medians[slot]
            if json {
                print(#"{"impl":"\#(name)","algorithm":"\#(algorithm.rawValue)","size":\#(size),"count":\#(count),"threads":\#(threads),"batch":\#(batch),"runs":\#(`repeat`),"ops_per_sec":\#(Int(rate)),"ops_per_sec_per_core":\#(Int(rate / Double(threads)))}"#)
            } else {
                print("\(name.padding(toLength: 28))  \(size) B  \(threads) thread(s)  \(formatRate(rate)) ops/s  (\(formatRate(rate / Double(threads))) per core)")
            }
        }
        let ratio = rounded(medians[0] / medians[1])
        if json {
            print(#"{"ratio":\#(ratio),"ours":"\#(names[0])","baseline":"\#(names[1])","algorithm":"\#(algorithm.rawValue)","size":\#(size),"threads":\#(threads)}"#)
        } else {
            print("ratio \(names[0]) / \(names[1]) = \(ratio)")
        }
    }
}

enum PrecheckAlgorithm: String, ExpressibleByArgument, CaseIterable {
    case keccak256
    case sha256
    case ed25519
    /// The whole precheck stage (`StageBench`).
    case stage
}

/// One precheck workload: inputs prepared up front, run by many threads.
protocol PrecheckBench: Sendable {
    var oursName: String { get }
    var baselineName: String { get }
    /// Fails if ours and the baseline disagree where they must agree.
    func check() throws
    /// Processes inputs `range` with ours or with the baseline, `batch` per call.
    func run(ours: Bool, range: Range<Int>, batch: Int)
}

/// `count` random messages of `size` bytes in one allocation, with the
/// pointer and length arrays both our kernels and OpenSSL's loop take.
final class MessageSet: @unchecked Sendable {
    // Written only in init; shared read-only by the bench threads.
    let storage: UnsafeMutableRawBufferPointer
    let buffers: UnsafeMutableBufferPointer<UnsafeRawBufferPointer>
    let pointers: UnsafeMutableBufferPointer<UnsafePointer<UInt8>?>
    let lengths: UnsafeMutableBufferPointer<Int>

    init(size: Int, count: Int) {
        storage = .allocate(byteCount: Swift.max(size * count, 1), alignment: 64)
        var rng = SystemRandomNumberGenerator()
        var word: UInt64 = 0
        for index in 0..<storage.count {
            if index % 8 == 0 { word = rng.next() }
            storage[index] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
        }
        buffers = .allocate(capacity: count)
        pointers = .allocate(capacity: count)
        lengths = .allocate(capacity: count)
        let base = storage.baseAddress!
        for index in 0..<count {
            let start = base + index * size
            buffers.initializeElement(at: index, to: UnsafeRawBufferPointer(start: start, count: size))
            pointers.initializeElement(at: index, to: start.assumingMemoryBound(to: UInt8.self))
            lengths.initializeElement(at: index, to: size)
        }
    }

    deinit {
        storage.deallocate()
        buffers.deallocate()
        pointers.deallocate()
        lengths.deallocate()
    }
}

/// Batched hashing vs OpenSSL hashing one message at a time.
struct DigestBench: PrecheckBench {
    let algorithm: HashAlgorithm
    let kernel: HashKernel?
    let messages: MessageSet
    let count: Int

    init(_ algorithm: HashAlgorithm, kernel: HashKernel?, size: Int, count: Int) throws {
        if let kernel { _ = try BatchHasher(algorithm, kernel: kernel) }
        self.algorithm = algorithm
        self.kernel = kernel
        self.count = count
        messages = MessageSet(size: size, count: count)
    }

    var oursName: String { "parallax_\(algorithm.rawValue)_\(kernel ?? HashKernel.selected(for: algorithm))" }

    var baselineName: String {
        switch algorithm {
        case .sha256: "openssl_sha256_lowlevel"
        case .keccak256, .sha3_256: "openssl_sha3_256_evp"
        }
    }

    func makeHasher() -> BatchHasher {
        guard let kernel else { return BatchHasher(algorithm) }
        return try! BatchHasher(algorithm, kernel: kernel)  // checked in init
    }

    func check() throws {
        // OpenSSL has no Keccak-256: the Keccak kernel is checked through
        // SHA3-256, the same sponge and kernel with the other padding byte.
        let checked: HashAlgorithm
        switch algorithm {
        case .sha256: checked = .sha256
        case .keccak256, .sha3_256: checked = .sha3_256
        }
        let n = Swift.min(count, 64)
        var hasher = BatchHasher(checked)
        if let kernel { hasher = try BatchHasher(checked, kernel: kernel) }
        var ours = [Digest32](repeating: .zero, count: n)
        var theirs = [Digest32](repeating: .zero, count: n)
        ours.withUnsafeMutableBufferPointer { hasher.hash(UnsafeBufferPointer(rebasing: messages.buffers[0..<n]), into: $0) }
        guard baseline(0..<n, into: &theirs) == 0, ours == theirs else {
            throw ValidationError("our \(checked) disagrees with OpenSSL's: refusing to time it")
        }
    }

    func run(ours: Bool, range: Range<Int>, batch: Int) {
        var hasher = makeHasher()
        var digests = [Digest32](repeating: .zero, count: batch)
        var start = range.lowerBound
        var failed = false
        while start < range.upperBound {
            let end = Swift.min(start + batch, range.upperBound)
            if ours {
                digests.withUnsafeMutableBufferPointer { out in
                    hasher.hash(UnsafeBufferPointer(rebasing: messages.buffers[start..<end]),
                                into: UnsafeMutableBufferPointer(rebasing: out[0..<(end - start)]))
                }
            } else {
                failed = failed || baseline(start..<end, into: &digests) != 0
            }
            start = end
        }
        precondition(!failed, "OpenSSL digest failed")
    }

    private func baseline(_ range: Range<Int>, into digests: inout [Digest32]) -> Int32 {
        digests.withUnsafeMutableBytes { raw in
            let out = raw.baseAddress!.assumingMemoryBound(to: DigestBytes.self)
            let msgs = messages.pointers.baseAddress! + range.lowerBound
            let lens = messages.lengths.baseAddress! + range.lowerBound
            return switch algorithm {
            case .sha256: pxb_openssl_sha256_batch(msgs, lens, range.count, out)
            case .keccak256, .sha3_256: pxb_openssl_sha3_256_batch(msgs, lens, range.count, out)
            }
        }
    }
}

/// `uint8_t[32]` as Swift imports it: the row type of the C output arrays.
typealias DigestBytes = (
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
)
