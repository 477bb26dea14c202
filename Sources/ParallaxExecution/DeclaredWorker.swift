// A worker of `DeclaredAccessExecutor`: its loop over the ready queues,
// its reads and writes of the value slots, its share of the delta.

import CParallaxCore
import ParallaxConcurrency

/// A worker of `DeclaredAccessExecutor`: takes ready transactions, runs
/// them, releases their successors, then collects its stride of the delta.
/// It is the reader of the execution context the executor pairs it with
/// (the context holds the worker, never the reverse).
final class DeclaredWorker: ContextReader, @unchecked Sendable {
    let index: Int
    let size: Int
    /// Index of this worker's node in the executor's `nodes`.
    let nodeIndex: Int
    /// Transactions this worker executed in the last block, and how many of
    /// them it took from another node's queue.
    private(set) var executed = 0
    private(set) var stolen = 0
    /// The running block and transaction, reached through a pointer so that
    /// the reader's accesses need no dynamic exclusivity checks (as
    /// `ParallelWorker.Scratch`).
    /// The block is unretained: the executor keeps it alive, and a retain
    /// per read would bounce the block's reference count between workers.
    struct Current {
        var block: Unmanaged<DeclaredBlock>?
        var txn: UInt32 = 0
    }
    private let current: UnsafeMutablePointer<Current>
    let deltaWrites = MoveBuffer<StateWrite>()
    private(set) var deltaCommitment = StateCommitment()
    /// Keeps other workers' objects off this one's lines (see `LinePadding`).
    private let padding = LinePadding()

    init(index: Int, size: Int, nodeIndex: Int) {
        self.index = index
        self.size = size
        self.nodeIndex = nodeIndex
        current = .allocate(capacity: 1)
        current.initialize(to: Current())
    }

    deinit {
        current.deinitialize(count: 1)
        current.deallocate()
    }

    /// Longest park of an idle worker before it re-checks for the end of the block.
    static let parkNanoseconds: Int64 = 100_000

    func endBlock() { current.pointee.block = nil }

    /// Runs ready transactions of `block` in `context` (whose reader is this worker) until all finished.
    func run(_ block: DeclaredBlock, in context: ExecutionContext) {
        current.pointee.block = Unmanaged.passUnretained(block)
        deltaWrites.removeAll()
        deltaCommitment = StateCommitment()
        executed = 0
        stolen = 0
        let total = UInt64(block.transactions.count)
        let nodeCount = block.slots.regions.count
        var backoff = Backoff()
        while true {
            var ready = block.tryDequeue(nodeIndex)
            if ready == nil {
                // Steal: another node's ready transaction, the nearest index first.
                for offset in 1..<nodeCount {
                    ready = block.tryDequeue((nodeIndex + offset) % nodeCount)
                    if ready != nil {
                        stolen += 1
                        break
                    }
                }
            }
            if ready == nil && backoff.isCompleted {
                // Park instead of yielding forever (a chain leaves the other
                // workers idle, and on a shared machine their yields take CPU
                // from the worker that runs it); the timeout bounds how late a
                // parked worker notices the end of the block or work queued
                // on another node.
                ready = block.dequeue(nodeIndex, timeoutNanoseconds: DeclaredWorker.parkNanoseconds)
            }
            if var txn = ready {
                // Follow the chain: the successor this transaction made ready
                // runs here next, on warm caches, without a queue round trip.
                while let next = execute(txn, block, in: context) { txn = next }
                backoff.reset()
                continue
            }
            // Acquire pairs with the acq_rel increments of `execute`.
            if px_atomic_load(block.finished, px_load_acquire) == total { break }
            backoff.snooze()
        }
        collectDelta(block)
    }

    /// Runs `txn` and releases its successors; returns one that became ready
    /// (the caller runs it next) and enqueues the others.
    private func execute(_ txn: UInt32, _ block: DeclaredBlock, in context: ExecutionContext) -> UInt32? {
        executed += 1
        current.pointee.txn = txn
        guard case .finished(let output) = context.run(block.transactions[Int(txn)], at: TxnIndex(txn)) else {
            preconditionFailure("the declared-access reader never suspends")
        }
        for write in output.writeSet { store(write.key, write.value, block) }
        (block.outputs + Int(txn)).pointee = output
        var kept: UInt32?
        for successor in block.graph.successors(of: txn) {
            // acq_rel: see the type's memory orders.
            guard px_atomic_fetch_add(block.pending + Int(successor), UInt64.max, px_rmw_acq_rel) == 1 else { continue }
            if kept == nil && block.node(of: successor) == nodeIndex {
                kept = successor
            } else {
                block.enqueue(successor)
            }
        }
        _ = px_atomic_fetch_add(block.finished, 1, px_rmw_acq_rel)
        return kept
    }

    /// The slot of `key` for the running transaction: its declared key's id,
    /// or for a barrier the block-wide id (nil: a key only barriers touch).
    @inline(__always)
    private func slot(_ key: StateKey, _ block: DeclaredBlock) -> UInt32? {
        let txn = current.pointee.txn
        if block.graph.declared[Int(txn)] {
            guard let id = block.graph.declaredKeyID(key, of: txn) else {
                preconditionFailure("the context let txn \(txn) touch undeclared key \(key)")
            }
            return id
        }
        return block.graph.keyID(key)
    }

    /// Whether `key` is the running transaction's own fee credit (resolved
    /// after the block, see `DeclaredAccessExecutor.resolveCredits`).
    @inline(__always)
    private func isOwnCredit(_ key: StateKey, _ block: DeclaredBlock) -> Bool {
        guard block.graph.hasCredits else { return false }
        let id = block.graph.creditKeyOfTransaction[Int(current.pointee.txn)]
        return id != DependencyGraph.none && block.graph.keys[Int(id)] == key
    }

    private func store(_ key: StateKey, _ value: StateValue?, _ block: DeclaredBlock) {
        if isOwnCredit(key, block) { return }
        if let id = slot(key, block) {
            if block.graph.takesCredits(Int(id)) { block.lastFullWriters[Int(id)] = current.pointee.txn }
            block.value(id).pointee = .some(value)
        } else {
            block.overlay[key] = .some(value)
        }
    }

    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        current.pointee.block.unsafelyUnwrapped._withUnsafeGuaranteedRef { read(key, $0) }
    }

    @inline(__always)
    private func read(_ key: StateKey, _ block: DeclaredBlock) -> StateValue? {
        if let id = slot(key, block) {
            let stored = block.value(id).pointee ?? block.base.read(key)
            return block.graph.takesCredits(Int(id)) ? withCredits(stored, id, block) : stored
        } else if let written = block.overlay[key] {
            return written
        }
        return block.base.read(key)
    }

    /// `value` (the key's value after its last full writer) with the fee
    /// credits of the transactions between that writer and the running one
    /// applied in block order, each dropped on overflow as the sequential
    /// executor drops it. The graph made all of them finish before this
    /// full access, and no later writer can have run.
    private func withCredits(_ value: StateValue?, _ id: UInt32, _ block: DeclaredBlock) -> StateValue? {
        let writer = block.lastFullWriters[Int(id)]
        var result = value
        for txn in (writer == DependencyGraph.none ? 0 : Int(writer) + 1)..<Int(current.pointee.txn)
        where block.graph.creditKeyOfTransaction[txn] == id && block.creditAmounts[txn] > 0 {
            result = DeltaOperand.credit(block.creditAmounts[txn], to: result) ?? result
        }
        return result
    }

    func checkDelta(_ key: StateKey, _ delta: DeltaOperand, upper: UInt128) throws(ExecutionError) -> Bool {
        // An own credit is decided after the block (`resolveCredits`).
        if current.pointee.block.unsafelyUnwrapped._withUnsafeGuaranteedRef({ isOwnCredit(key, $0) }) { return true }
        return delta.apply(to: try readThrough(key)?.uint128Value ?? 0, upper: upper) != nil
    }

    func deltaResult(_ key: StateKey, _ delta: DeltaOperand) -> StateValue? {
        current.pointee.block.unsafelyUnwrapped._withUnsafeGuaranteedRef { block in
            if isOwnCredit(key, block) {
                // Recorded for the readers after it and `resolveCredits`,
                // which also replaces this placeholder by the exact value.
                block.creditAmounts[Int(current.pointee.txn)] = UInt64(truncatingIfNeeded: delta.magnitude)
                return delta.encode(delta.magnitude)
            }
            // The slots order every delta after the key's earlier writers, as
            // the sequential overlay does; this reader never throws.
            return applyOwn(delta, to: read(key, block))
        }
    }

    private func collectDelta(_ block: DeclaredBlock) {
        let keys = block.graph.keys
        var id = index
        while id < keys.count {
            // Keys that take credits are resolved by the executor (`resolveCredits`).
            if !block.graph.takesCredits(id), let value = block.value(UInt32(id)).pointee {
                deltaCommitment.update(keys[id], from: block.base.read(keys[id]), to: value)
                deltaWrites.append(StateWrite(key: keys[id], value: value))
            }
            id += size
        }
    }
}
