import ArgumentParser
import CSodium
import Parallax
import ParallaxConcurrency
import ParallaxPrecheck
import ParallaxTopology
import ParallaxWorkloads
import Synchronization

/// `precheck --algorithm stage`: the whole precheck stage on a block of
/// Ed25519 transactions, against a per-transaction loop with the same checks
/// (decode, Keccak-256 of one message, rules, libsodium's single verify) run
/// on the same number of threads, side by side in one process.
///
/// The block is generated once: `count` envelopes signed with libsodium keys
/// (256 senders), of which a `badFraction` share at random positions are
/// corrupted, in turn truncated (malformed), with a flipped bit in S (bad
/// signature) and with a flipped payload bit (signed bytes changed). Every run
/// of either implementation must reject exactly the corrupted transactions,
/// each for its reason; otherwise the command fails instead of timing it.
struct StageBench {
    let count: Int
    let threads: Int
    /// Run the chunks on the calling thread instead of a pool.
    let inline: Bool
    /// Let the kernel place the pool's workers (a machine shared with other jobs).
    let unpinned: Bool
    let payloadBytes: Int
    let badFraction: Double
    let chunkSize: Int
    let repeats: Int

    static let rules = PrecheckRules(chainID: ChainID(1), gasLimits: GasLimit(21_000)...GasLimit(30_000_000),
                                     minimumFee: Fee(1), envelopeLimits: .default)

    enum Corruption: CaseIterable {
        case truncated, signatureBit, payloadBit

        /// Whether `result` is the rejection this corruption must cause.
        func matches(_ result: ParallaxPrecheck.PrecheckResult) -> Bool {
            switch (self, result) {
            case (.truncated, .failure(.malformed(.truncated))): true
            case (.signatureBit, .failure(.badSignature(.ed25519))),
                 (.payloadBit, .failure(.badSignature(.ed25519(.equationFails)))): true
            default: false
            }
        }
    }

    /// The generated block and which transactions were corrupted how.
    final class Workload: @unchecked Sendable {
        // Written only in init; read by the bench threads.
        let block: PackedMessages
        let corruption: [Corruption?]

        init(count: Int, payloadBytes: Int, badFraction: Double) throws {
            precondition(sodium_init() >= 0)
            var generator = SystemRandomNumberGenerator()
            let senders: [(PublicKey, [UInt8])] = try (0..<256).map { _ in
                var pk = [UInt8](repeating: 0, count: 32), sk = [UInt8](repeating: 0, count: 64)
                crypto_sign_keypair(&pk, &sk)
                return (try PublicKey(scheme: .ed25519, bytes: pk), sk)
            }
            var corruption = [Corruption?](repeating: nil, count: count)
            let badCount = Int((Double(count) * badFraction).rounded())
            for (turn, position) in Array(0..<count).shuffled(using: &generator).prefix(badCount).enumerated() {
                corruption[position] = Corruption.allCases[turn % Corruption.allCases.count]
            }
            var block = PackedMessages(reservingMessages: count, bytes: count * (134 + payloadBytes))
            var payload = [UInt8](repeating: 0, count: payloadBytes)
            for index in 0..<count {
                for i in payload.indices { payload[i] = UInt8.random(in: 0...255, using: &generator) }
                let (sender, secret) = senders[index % senders.count]
                let unsigned = UnsignedTransaction(chainID: StageBench.rules.chainID!, sender: sender, nonce: Nonce(UInt64(index)),
                                                   gasLimit: GasLimit(21_000 + UInt64(index % 1000)), fee: Fee(1), payload: payload)
                var signature = [UInt8](repeating: 0, count: 64)
                let hash = unsigned.hash.digest.bytes
                crypto_sign_detached(&signature, nil, hash, 32, secret)
                var bytes = try unsigned.signed(with: Signature(scheme: .ed25519, bytes: signature)).encoded()
                switch corruption[index] {
                case nil: break
                case .truncated: bytes.removeLast()
                // S's lowest byte: S stays below L and the equation fails.
                case .signatureBit: bytes[bytes.count - 32] ^= 0x01
                case .payloadBit:
                    // With no payload, flip the nonce instead: still a signed byte.
                    bytes[payloadBytes > 0 ? 38 + 32 + index % payloadBytes : 42] ^= 0x80
                }
                block.append(bytes)
            }
            self.block = block
            self.corruption = corruption
        }

        /// Nil when exactly the corrupted transactions were rejected, each for
        /// its reason; otherwise the first disagreement.
        func mismatch(_ results: some RandomAccessCollection<ParallaxPrecheck.PrecheckResult>) -> String? {
            guard results.count == corruption.count else { return "\(results.count) results for \(corruption.count) transactions" }
            for (index, result) in zip(0..., results) {
                if let corruption = corruption[index] {
                    if !corruption.matches(result) { return "transaction \(index) (\(corruption)): \(result)" }
                } else if case .failure(let rejection) = result {
                    return "valid transaction \(index) rejected: \(rejection)"
                }
            }
            return nil
        }
    }

    func run(json: Bool) throws {
        let workload = try Workload(count: count, payloadBytes: payloadBytes, badFraction: badFraction)
        let badCount = workload.corruption.compactMap { $0 }.count
        var pool: WorkerPool? = nil
        if !inline {
            let topology = try Topology.thisMachine()
            guard threads <= topology.pus.count else {
                throw ValidationError("--threads \(threads): this machine has \(topology.pus.count) PUs")
            }
            // As in `pool`: the calling thread gets a PU of its own when the workers leave one.
            var request = PlacementRequest(pools: [PoolRequest(.precheck, .workers(threads))])
            if !unpinned, threads < topology.pus.count, let last = topology.pus.last?.os {
                request.reserved = CPUSet([last])
                try ThreadAffinity.pinCurrentThreadVerified(to: last)
            }
            pool = try WorkerPool(plan: PlacementPlan(topology: topology, request: request), pool: .precheck,
                                  options: .init(pinning: unpinned ? .unpinned : .pinned))
        }
        defer { pool?.shutdown() }
        let stage = PrecheckStage(rules: Self.rules, pool: pool, chunkSize: chunkSize)
        let workerCount = inline ? 1 : threads

        var results: [ParallaxPrecheck.PrecheckResult] = []
        var stageRates: [Double] = [], naiveRates: [Double] = []
        var totals = PrecheckStatistics()
        for _ in 0..<repeats {
            let started = MonotonicClock.nanoseconds()
            let statistics = try stage.check(workload.block, into: &results)
            let seconds = Double(MonotonicClock.nanoseconds() - started) * 1e-9
            if let mismatch = workload.mismatch(results) { throw ValidationError("stage: \(mismatch)") }
            stageRates.append(Double(count) / seconds)
            totals = totals + statistics
            naiveRates.append(Double(count) / (try runNaive(workload, threads: workerCount)))
        }
        let stageRate = stageRates.sorted()[repeats / 2], naiveRate = naiveRates.sorted()[repeats / 2]
        let transactions = Double(totals.transactions)
        let decodeHash = Double(totals.decodeHashNanoseconds) / transactions
        let verify = Double(totals.verifyNanoseconds) / transactions
        let stageName = "parallax_precheck_stage", naiveName = "naive_parse_keccak_libsodium"
        let common = #""algorithm":"stage","scheme":"ed25519","count":\#(count),"threads":\#(workerCount),"pool":\#(!inline),"pinned":\#(!inline && !unpinned),"payload":\#(payloadBytes),"bad_fraction":\#(badFraction),"rejected":\#(badCount),"runs":\#(repeats)"#
        if json {
            print(#"{"impl":"\#(stageName)",\#(common),"chunk":\#(chunkSize),"ops_per_sec":\#(Int(stageRate)),"ops_per_sec_per_core":\#(Int(stageRate / Double(workerCount))),"decode_hash_ns_per_tx":\#(rounded(decodeHash, 10)),"verify_ns_per_tx":\#(rounded(verify, 10)),"verify_share":\#(rounded(verify / (decodeHash + verify))),"ed25519_batches":\#(totals.ed25519Batches),"ed25519_single":\#(totals.ed25519SingleVerifications),"chunks":\#(totals.chunks)}"#)
            print(#"{"impl":"\#(naiveName)",\#(common),"ops_per_sec":\#(Int(naiveRate)),"ops_per_sec_per_core":\#(Int(naiveRate / Double(workerCount)))}"#)
            print(#"{"ratio":\#(rounded(stageRate / naiveRate)),"ours":"\#(stageName)","baseline":"\#(naiveName)","algorithm":"stage","threads":\#(workerCount)}"#)
        } else {
            print("\(stageName.padding(toLength: 30)) \(workerCount) worker(s)\(inline ? " (calling thread)" : "")  \(formatRate(stageRate)) tx/s  decode+hash \(rounded(decodeHash, 10)) ns/tx, verify \(rounded(verify, 10)) ns/tx (worker time)")
            print("\(naiveName.padding(toLength: 30)) \(workerCount) thread(s)  \(formatRate(naiveRate)) tx/s")
            print("ratio \(stageName) / \(naiveName) = \(rounded(stageRate / naiveRate)); \(badCount) of \(count) corrupted, exactly those rejected")
        }
    }

    /// The per-transaction loop on `threads` threads, each taking a contiguous
    /// share; returns the seconds taken after checking its verdicts.
    private func runNaive(_ workload: Workload, threads: Int) throws -> Double {
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: count)
        defer { results.deallocate() }
        results.initialize(repeating: false)
        let shared = SharedFlags(flags: results)
        let count = self.count
        let seconds = runTimedThreads(threads) { thread in
            var hasher = BatchHasher(.keccak256)
            var digest = [Digest32](repeating: .zero, count: 1)
            workload.block.bytes.withUnsafeBytes { bytes in
                for index in (count * thread / threads)..<(count * (thread + 1) / threads) {
                    let envelopeBytes = UnsafeRawBufferPointer(rebasing: bytes[workload.block.range(of: index)])
                    shared.flags[index] = Self.naiveAccepts(envelopeBytes, hasher: &hasher, digest: &digest)
                }
            }
        }
        for index in 0..<count where results[index] != (workload.corruption[index] == nil) {
            throw ValidationError("naive: transaction \(index) \(results[index] ? "accepted" : "rejected") (corruption \(String(describing: workload.corruption[index])))")
        }
        return seconds
    }

    private static func naiveAccepts(_ bytes: UnsafeRawBufferPointer, hasher: inout BatchHasher, digest: inout [Digest32]) -> Bool {
        guard let envelope = try? TransactionEnvelope.parse(bytes, limits: rules.envelopeLimits),
              rules.rejection(of: envelope) == nil else { return false }
        var prefix = UnsafeRawBufferPointer(rebasing: bytes[envelope.signedRange])
        withUnsafePointer(to: &prefix) { prefix in
            digest.withUnsafeMutableBufferPointer { hasher.hash(UnsafeBufferPointer(start: prefix, count: 1), into: $0) }
        }
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return digest[0].withUnsafeBytes { hash in
            crypto_sign_verify_detached(base + envelope.signatureRange.lowerBound,
                                        hash.baseAddress!.assumingMemoryBound(to: UInt8.self), 32,
                                        base + envelope.publicKeyRange.lowerBound) == 0
        }
    }
}

/// Per-transaction verdicts of the naive loop, written at disjoint indices.
private struct SharedFlags: @unchecked Sendable {
    let flags: UnsafeMutableBufferPointer<Bool>
}
