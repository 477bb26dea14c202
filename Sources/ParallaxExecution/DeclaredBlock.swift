// One block of `DeclaredAccessExecutor` as its workers share it: the
// transactions, the graph, the value slots, the ready queues and counters.

import ParallaxConcurrency

/// One block of `DeclaredAccessExecutor`: constants for the workers plus
/// the shared value slots and outputs, which the graph's edges order.
final class DeclaredBlock: @unchecked Sendable {
    let transactions: [any Transaction]
    let base: any StateView
    let graph: DependencyGraph
    let slots: DeclaredSlots
    /// The ready queue of each node (the executor keeps them alive).
    let queues: UnsafeMutablePointer<Unmanaged<MPMCQueue<UInt32>>>
    let pending: UnsafeMutablePointer<UInt64>
    let finished: UnsafeMutablePointer<UInt64>
    let outputs: UnsafeMutablePointer<TransactionOutput?>
    /// Per transaction: the amount of its fee credit, when that is a credit
    /// (`DependencyGraph.creditKeyOfTransaction`; 0: none or not yet run).
    let creditAmounts: UnsafeMutablePointer<UInt64>
    /// Per key id: the last transaction that wrote the key fully (`none`:
    /// none yet); full reads of a key that takes credits apply the credits
    /// of the transactions after it.
    let lastFullWriters: UnsafeMutablePointer<UInt32>
    /// Writes of barrier transactions to keys no declaration names; only
    /// barriers (which run alone) touch it.
    var overlay: [StateKey: StateValue?] = [:]

    init(transactions: [any Transaction], base: any StateView, graph: DependencyGraph, slots: DeclaredSlots,
         queues: UnsafeMutablePointer<Unmanaged<MPMCQueue<UInt32>>>,
         pending: UnsafeMutablePointer<UInt64>, finished: UnsafeMutablePointer<UInt64>) {
        self.transactions = transactions
        self.base = base
        self.graph = graph
        self.slots = slots
        self.queues = queues
        self.pending = pending
        self.finished = finished
        outputs = .allocate(capacity: transactions.count)
        outputs.initialize(repeating: nil, count: transactions.count)
        // Only blocks with credits use these (fresh pages per block cost page
        // faults and, when freed, TLB shootdowns that interrupt the workers).
        let creditCount = graph.hasCredits ? transactions.count : 0
        let creditKeyCount = graph.hasCredits ? graph.keys.count : 0
        creditAmounts = .allocate(capacity: Swift.max(1, creditCount))
        creditAmounts.initialize(repeating: 0, count: creditCount)
        lastFullWriters = .allocate(capacity: Swift.max(1, creditKeyCount))
        lastFullWriters.initialize(repeating: DependencyGraph.none, count: creditKeyCount)
    }

    deinit {
        outputs.deinitialize(count: transactions.count)
        outputs.deallocate()
        creditAmounts.deallocate()
        lastFullWriters.deallocate()
    }

    /// The slot of key id `id` (see `DeclaredSlots`).
    @inline(__always)
    func value(_ id: UInt32) -> UnsafeMutablePointer<StateValue??> { slots.slotOfKey[Int(id)] }

    /// Node index of transaction `txn`.
    @inline(__always)
    func node(of txn: UInt32) -> Int { Int(slots.transactionNodes[Int(txn)]) }

    @inline(__always)
    func tryDequeue(_ node: Int) -> UInt32? { queues[node]._withUnsafeGuaranteedRef { $0.tryDequeue() } }

    /// Waits up to `timeoutNanoseconds` for a ready transaction of `node`.
    func dequeue(_ node: Int, timeoutNanoseconds: Int64) -> UInt32? {
        queues[node]._withUnsafeGuaranteedRef { $0.dequeue(timeoutNanoseconds: timeoutNanoseconds) }
    }

    @inline(__always)
    func enqueue(_ txn: UInt32) {
        let accepted = queues[node(of: txn)]._withUnsafeGuaranteedRef { $0.tryEnqueue(txn) }
        precondition(accepted, "a ready queue holds a whole block")
    }
}
