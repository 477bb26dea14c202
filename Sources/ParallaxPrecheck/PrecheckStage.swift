import CParallaxCore
import CParallaxEd25519
import ParallaxTopology
import Synchronization

/// The precheck stage: turns a block of encoded transactions into, per
/// transaction and in block order, a `VerifiedTransaction` or the
/// `PrecheckRejection` that keeps it from executing.
///
/// ## Work split
/// The block is cut into chunks of `chunkSize` consecutive transactions
/// (default: the batch verifier's preferred batch on this CPU, 512 on the
/// AVX2 path where the bucket method wins from 256 signatures, 64 on the
/// IFMA and portable paths; one chunk is one multi-scalar multiplication when
/// all its signatures are good). With a
/// pool, one `broadcast` runs every worker in a loop that takes the next
/// chunk number from a shared cursor until none is left: fast workers take
/// more chunks, and no task is allocated per chunk. Without a pool, or when
/// the block fits in one chunk (a broadcast would only add its round trip),
/// the calling thread runs the chunks itself. Each worker checks its
/// chunks with its own `ChunkChecker` (hasher, batch verifier and scratch
/// arrays), created on the worker's first chunk, on that worker's thread, so
/// its memory is first touched on the worker's node, and reused for every
/// later block.
///
/// ## Determinism
/// A transaction's outcome depends only on its bytes and the `rules`: the
/// batch verifier's verdicts equal the single verifier's whatever the batch
/// holds (see `Ed25519`), so results are identical with or without a pool,
/// for any worker count, any chunk size and whatever batch sizes the
/// checkers adapt to (see `ChunkChecker`).
///
/// ## Memory orders
/// The caller resets the cursor (relaxed) and the statistics before the
/// broadcast; the pool's broadcast publishes them with its release increment
/// of the epoch, which workers read with acquire. Workers take chunks with a
/// relaxed fetch-add: the cursor only deals out numbers, no data travels with
/// it. Results and statistics written by the workers reach the caller through
/// the broadcast's completion count (acq_rel decrements, acquire wait).
///
/// One `check` at a time per stage: `busy` is exchanged with acquire on entry
/// and stored with release on exit, so a later caller on another thread sees
/// the scratch state the previous call left; overlapping calls are a
/// precondition failure.
public final class PrecheckStage: @unchecked Sendable {
    /// Transactions per chunk by default: the Ed25519 batch verifier's
    /// preferred batch for the CPU features dispatch may use at first access.
    public static let defaultChunkSize = Int(px_ed25519_preferred_batch(px_cpu_features()))

    /// The admission rules every envelope is checked against.
    public let rules: PrecheckRules
    /// Envelopes per chunk: the unit of work of one precheck worker.
    public let chunkSize: Int
    /// The workers that run the chunks, or nil for the calling thread.
    public let pool: WorkerPool?

    /// Slot i belongs to worker i and the last slot to the calling thread
    /// (blocks of one chunk, or no pool): only that thread creates and uses it
    /// during a check.
    private let checkers: UnsafeMutableBufferPointer<ChunkChecker?>
    private var callerSlot: Int { checkers.count - 1 }
    private let cursor = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)

    /// A stage that runs its chunks on `pool`'s workers, or on the calling
    /// thread when `pool` is nil.
    /// - Precondition: `chunkSize >= 1`.
    public init(rules: PrecheckRules, pool: WorkerPool? = nil, chunkSize: Int = PrecheckStage.defaultChunkSize) {
        precondition(chunkSize >= 1, "PrecheckStage: chunkSize must be at least 1, not \(chunkSize)")
        self.rules = rules
        self.chunkSize = chunkSize
        self.pool = pool
        checkers = .allocate(capacity: (pool?.count ?? 0) + 1)
        checkers.initialize(repeating: nil)
    }

    deinit {
        _ = checkers.deinitialize()
        checkers.deallocate()
    }

    /// Checks every transaction of `block`; `results` is replaced by one
    /// outcome per transaction, in block order (its capacity is reused).
    /// Throws only if the pool has been shut down.
    @discardableResult
    public func check(_ block: PackedMessages, into results: inout [PrecheckResult]) throws(WorkerPoolError)
        -> PrecheckStatistics
    {
        let wasBusy = busy.exchange(true, ordering: .acquiring)
        precondition(!wasBusy, "PrecheckStage.check: called while another check of this stage runs")
        defer { busy.store(false, ordering: .releasing) }

        let count = block.count
        if results.count > count {
            results.removeLast(results.count - count)
        } else if results.count < count {
            // A placeholder only: every slot is overwritten by its chunk.
            results.append(contentsOf: repeatElement(.failure(.malformed(.truncated(.version, needed: 1, available: 0))),
                                                     count: count - results.count))
        }
        for slot in checkers.indices { checkers[slot]?.resetStatistics() }
        let chunks = (count + chunkSize - 1) / chunkSize

        let outcome: Result<Void, WorkerPoolError> = block.bytes.withUnsafeBytes { bytes in
            block.ends.withUnsafeBufferPointer { ends in
                results.withUnsafeMutableBufferPointer { output in
                    let view = BlockView(bytes: bytes, ends: ends)
                    let shared = Output(results: output)
                    guard let pool, chunks > 1 else {
                        for chunk in 0..<chunks { checker(callerSlot).check(range(ofChunk: chunk, count: count), of: view, into: output) }
                        return .success(())
                    }
                    // Relaxed: the broadcast's release publishes this store to the workers.
                    cursor.store(0, ordering: .relaxed)
                    do throws(WorkerPoolError) {
                        try pool.broadcast { worker in
                            let checker = self.checker(worker.index)
                            while true {
                                // Relaxed: the cursor only deals out chunk numbers (see the type's comment).
                                let chunk = self.cursor.wrappingAdd(1, ordering: .relaxed).oldValue
                                guard chunk < chunks else { return }
                                checker.check(self.range(ofChunk: chunk, count: count), of: view, into: shared.results)
                            }
                        }
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
            }
        }
        try outcome.get()
        var statistics = PrecheckStatistics()
        for slot in checkers.indices { if let checker = checkers[slot] { statistics = statistics + checker.statistics } }
        return statistics
    }

    /// The outcomes of every transaction of `block`, in block order.
    public func check(_ block: PackedMessages) throws(WorkerPoolError) -> [PrecheckResult] {
        var results: [PrecheckResult] = []
        try check(block, into: &results)
        return results
    }

    private func range(ofChunk chunk: Int, count: Int) -> Range<Int> {
        (chunk * chunkSize)..<Swift.min(count, (chunk + 1) * chunkSize)
    }

    /// The checker of worker `slot`, created by that worker on first use.
    private func checker(_ slot: Int) -> ChunkChecker {
        if let checker = checkers[slot] { return checker }
        let checker = ChunkChecker(rules: rules, chunkSize: chunkSize)
        checkers[slot] = checker
        return checker
    }

    #if DEBUG
    /// Between checks: no check is running and no checker holds scratch
    /// entries (pointers into a block) from the last one.
    public func _checkInvariants() {
        precondition(!busy.load(ordering: .acquiring), "PrecheckStage: a check is running")
        for slot in checkers.indices { checkers[slot]?._checkInvariants() }
    }
    #endif
}

/// The results buffer of one check, written by the workers at disjoint indices.
private struct Output: @unchecked Sendable {
    let results: UnsafeMutableBufferPointer<PrecheckResult>
}
