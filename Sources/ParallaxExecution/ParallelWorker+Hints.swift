// The two heuristics that make `ParallelWorker` wait instead of speculate:
// the contention hint (hot keys, `ParallelExecutor.contentionHint`) and
// the declaration hint (declared writers, `ParallelExecutor.declarationHints`).
// Neither affects the result: a wait only delays a read.

import CParallaxCore

extension ParallelWorker {
    /// Keys written by at least this many transactions of the block count
    /// as hot for `shouldWaitForPredecessor`.
    static let hotWriters: UInt64 = 3

    /// A hot key must have been written by at least one in this many of
    /// the transactions before the reader for the hint to wait.
    static let hintShare: UInt64 = 4

    /// The contention hint: a read of a hot key whose latest version below
    /// the reader is older than its immediate predecessor, while that
    /// predecessor has not finished executing, would very likely read a
    /// value the predecessor is about to overwrite. Executing it now would
    /// burn a whole execution and an abort; instead the reader suspends on
    /// the predecessor, exactly as on an ESTIMATE. Correctness never depends
    /// on this (a suspension only delays). A key is hot when at least
    /// `hotWriters` transactions and one in `hintShare` of those before the
    /// reader wrote it: nearly all keys of a low-contention block are never
    /// delayed, and neither are keys that are busy but not written by most
    /// transactions (16 AMM pools sharing the traffic: the predecessor swaps
    /// in another pool 15 times in 16, so waiting for it would almost
    /// always be wasted).
    @inline(__always)
    func shouldWaitForPredecessor(_ id: UInt64, _ descriptor: UInt64, _ currentTxn: UInt32) -> Bool {
        // The writer of the version read, plus one (0: the base state).
        let writerPlusOne = descriptor >> 32
        guard writerPlusOne < UInt64(currentTxn) else { return false }
        let writers = px_atomic_load(KeyTable.writers(id), px_load_relaxed)
        guard writers >= ParallelWorker.hotWriters, writers &* ParallelWorker.hintShare >= UInt64(currentTxn) else { return false }
        return !scheduler.hasExecuted(currentTxn - 1)
    }

    /// The declaration hint: a read of a key whose last earlier declared
    /// writer has not executed yet would almost surely be invalidated, so
    /// the reader waits for that writer first (`awaitWriter`). The check is
    /// at the read, not at the start of the transaction: work done before
    /// the read (often most of it) overlaps the writer's execution instead
    /// of queueing behind it. A wrong declaration only costs the wait; a
    /// writer has a lower index, so no wait cycle can form.
    @inline(__always)
    func awaitDeclaredWriter(_ key: StateKey, _ hints: Unmanaged<DependencyGraph>) throws(ExecutionError) {
        let currentTxn = scratch.pointee.currentTxn
        let writer = hints._withUnsafeGuaranteedRef { $0.lastDeclaredWriter(of: key, before: currentTxn) }
        if writer != DependencyGraph.none { try awaitWriter(writer, inPlace: true) }
    }
}
