/// The dependency graph of a block whose transactions declare their access
/// (`DeclaredAccess`): edge j → i (j < i) means i must not start before j
/// has finished. Executing the transactions in any order that respects the
/// edges gives the result of executing them in block order.
///
/// ## Construction (one pass in block order)
/// Per key: its last declared writer and the readers since that writer.
/// Transaction i with a declaration, for each key it declares:
/// - it waits for the key's last writer (read-after-write, write-after-write);
/// - if it writes the key, it also waits for the readers since that writer
///   (write-after-read), then becomes the key's last writer and clears its
///   readers; otherwise it joins the readers.
/// The fee payer counts as a declared write. A fee credit by delta to the
/// beneficiary (`FeeBeneficiary.byDelta`), when it is the transaction's
/// only access to that key, is a *credit*: credits commute, so they get no
/// edges among themselves or from the key's writers; instead every later
/// full access of the key (read or write) waits for the credits since the
/// key's last writer. The declared executor resolves credits in block order
/// (`DeclaredAccessExecutor`), so a block whose every fee goes to one
/// beneficiary is not one chain. A transaction without a
/// declaration is a barrier: it waits for every transaction since the
/// previous barrier (or for that barrier), and every later transaction waits
/// for it, so it runs alone; the per-key lists restart after it (an epoch
/// per key, no clearing). Edges are deduplicated per successor with a
/// "last successor" mark per predecessor, so a predecessor's finish
/// decrements each successor exactly once per edge.
///
/// Source: the scheduling of declared-access runtimes (Solana's Sealevel
/// account locks, Sui's object DAG) made static: the whole block's graph is
/// built before execution, so execution needs no locks, only one pending
/// counter per transaction (`DeclaredAccessExecutor`).
///
/// ## Also recorded
/// - the block's declared keys, interned to dense key ids (the executor keeps
///   one value slot per key id), and each transaction's declared keys with
///   their ids (`declaredKeyID(_:of:)`: the executor's reader finds a key's slot by
///   scanning them);
/// - per declared key of a transaction, its last earlier declared writer,
///   barriers ignored (`ParallelExecutor.declarationHints`); fee credits by
///   delta are not counted as writers there (they commute, so Block-STM
///   need not wait for them).
///
/// ## Invariants (`_checkInvariants()`)
/// - every edge goes from a lower to a higher index, and each (j, i) once;
/// - `predecessorCount(i)` is the number of edges into i;
/// - a transaction with no declaration has an edge from every earlier
///   transaction since the previous barrier, or from that barrier.
final class DependencyGraph: @unchecked Sendable {
    static let none = UInt32.max

    let count: Int
    // Constants once built (`let`: no exclusivity checks when workers read them).
    /// Declared keys of the block; a key's id is its position.
    let keys: [StateKey]
    /// Open-addressed index of `keys` (linear probing from `key.mixed`,
    /// load at most 1/2): slot value id + 1, 0 empty. Cheaper than a
    /// `Dictionary` (no seeded hasher, no boxed storage) on the serial path.
    let index: [UInt32]
    /// Transaction i's declared keys (fee payer included, each once) are
    /// `txnKeys[keyStart[i]..<keyStart[i + 1]]`, with ids and last earlier
    /// declared writers at the same positions.
    let keyStart: [Int]
    let txnKeys: [StateKey]
    let txnKeyIDs: [UInt32]
    let lastDeclaredWriters: [UInt32]
    /// Per transaction: the key id of its fee credit when that is a credit
    /// (see the type's doc), else `none`.
    let creditKeyOfTransaction: [UInt32]
    /// Per key id: whether some transaction credits it.
    let keyTakesCredits: [Bool]
    /// Whether any key takes credits.
    let hasCredits: Bool
    /// Whether transaction i declared its access.
    let declared: [Bool]
    /// Successors of j: `successors[successorStart[j]..<successorStart[j + 1]]`.
    let successorStart: [Int]
    let successors: [UInt32]
    let predecessorCounts: [UInt32]

    init(_ transactions: [any Transaction]) {
        count = transactions.count
        var keys: [StateKey] = []
        // Sized for about four declared keys per transaction; grows if needed.
        var index = [UInt32](repeating: 0, count: 1 << Swift.max(10, Int.bitWidth - (count * 8).leadingZeroBitCount))
        var keyStart: [Int] = [0]
        var txnKeys: [StateKey] = []
        var txnKeyIDs: [UInt32] = []
        // Builder-private flags of each declared key of each transaction
        // (write; hinted: counted for the hints, false for a fee credit by
        // delta; credit: a fee credit by delta that is the transaction's
        // only access to the key, see the type's doc).
        var slotFlags: [SlotFlags] = []
        var creditKeyOfTransaction = [UInt32](repeating: DependencyGraph.none, count: count)
        var creditorTxn: [UInt32] = []
        var creditorNext: [Int] = []
        var lastDeclaredWriters: [UInt32] = []
        var declared: [Bool] = []
        keys.reserveCapacity(count * 4)
        txnKeys.reserveCapacity(count * 4)
        txnKeyIDs.reserveCapacity(count * 4)
        slotFlags.reserveCapacity(count * 4)
        lastDeclaredWriters.reserveCapacity(count * 4)
        keyStart.reserveCapacity(count + 1)
        declared.reserveCapacity(count)
        var edgeFrom: [UInt32] = []
        var edgeTo: [UInt32] = []
        edgeFrom.reserveCapacity(count * 3)
        edgeTo.reserveCapacity(count * 3)
        var mark = [UInt32](repeating: DependencyGraph.none, count: count)
        // Per key id (one element per key: one cache miss, not six).
        var keyStates: [KeyState] = []
        keyStates.reserveCapacity(count * 4)
        var readerTxn: [UInt32] = []
        var readerNext: [Int] = []
        var epoch: UInt32 = 0
        var lastBarrier = DependencyGraph.none
        var sinceBarrier: [UInt32] = []

        func addEdge(_ from: UInt32, _ to: UInt32) {
            guard mark[Int(from)] != to else { return }
            mark[Int(from)] = to
            edgeFrom.append(from)
            edgeTo.append(to)
        }

        for position in transactions.indices {
            let txn = UInt32(position)
            let transaction = transactions[position]
            guard let access = transaction.declaredAccess else {
                declared.append(false)
                if sinceBarrier.isEmpty {
                    if lastBarrier != DependencyGraph.none { addEdge(lastBarrier, txn) }
                } else {
                    for earlier in sinceBarrier { addEdge(earlier, txn) }
                }
                lastBarrier = txn
                sinceBarrier.removeAll(keepingCapacity: true)
                epoch += 1
                keyStart.append(txnKeys.count)
                continue
            }
            declared.append(true)
            if lastBarrier != DependencyGraph.none { addEdge(lastBarrier, txn) }
            let start = txnKeys.count
            func declare(_ key: StateKey, write: Bool, hinted: Bool = true, credit: Bool = false) {
                for slot in start..<txnKeys.count where txnKeys[slot] == key {
                    if write { slotFlags[slot].write = true }
                    if hinted { slotFlags[slot].hinted = true }
                    // A credit with any other access of the key is a full write.
                    if slotFlags[slot].credit || credit {
                        slotFlags[slot].credit = false
                        slotFlags[slot].write = true
                    }
                    return
                }
                let id: UInt32
                var position = Int(truncatingIfNeeded: key.mixed) & (index.count - 1)
                while index[position] != 0 && keys[Int(index[position] - 1)] != key {
                    position = (position + 1) & (index.count - 1)
                }
                if index[position] != 0 {
                    id = index[position] - 1
                } else {
                    id = UInt32(keys.count)
                    index[position] = id + 1
                    keys.append(key)
                    if keys.count * 2 > index.count { index = DependencyGraph.reindex(keys, capacity: index.count * 2) }
                    keyStates.append(KeyState(epoch: epoch))
                }
                txnKeys.append(key)
                txnKeyIDs.append(id)
                slotFlags.append(SlotFlags(write: write, hinted: hinted, credit: credit))
            }
            let policy = transaction.feePolicy
            if let payer = policy.implicitlyDeclaredKey { declare(payer, write: true) }
            if let senderNonce = transaction.senderNonce { declare(senderNonce.key, write: true) }
            switch policy {
            case .none: break
            case .balanceDebit(let debit):
                if let beneficiary = debit.beneficiary {
                    declare(beneficiary.key, write: true, hinted: !beneficiary.byDelta, credit: beneficiary.byDelta)
                }
            case .custom(let settlement):
                for key in settlement.writes { declare(key, write: true) }
                for key in settlement.credits { declare(key, write: true, hinted: false, credit: true) }
            }
            for key in access.writes { declare(key, write: true) }
            for key in access.reads { declare(key, write: false) }

            for slot in start..<txnKeys.count {
                let id = Int(txnKeyIDs[slot])
                let flags = slotFlags[slot]
                var state = keyStates[id]
                lastDeclaredWriters.append(flags.hinted ? state.declaredWriter : DependencyGraph.none)
                if state.epoch != epoch {
                    state.epoch = epoch
                    state.writer = DependencyGraph.none
                    state.readers = -1
                    state.creditors = -1
                }
                if flags.credit {
                    // A credit: no edges; later full accesses wait for it.
                    state.takesCredits = true
                    creditKeyOfTransaction[position] = UInt32(id)
                    creditorTxn.append(txn)
                    creditorNext.append(state.creditors)
                    state.creditors = creditorTxn.count - 1
                    keyStates[id] = state
                    continue
                }
                if state.writer != DependencyGraph.none { addEdge(state.writer, txn) }
                var creditor = state.creditors
                while creditor >= 0 {
                    addEdge(creditorTxn[creditor], txn)
                    creditor = creditorNext[creditor]
                }
                if flags.write {
                    var reader = state.readers
                    while reader >= 0 {
                        addEdge(readerTxn[reader], txn)
                        reader = readerNext[reader]
                    }
                    state.readers = -1
                    state.creditors = -1
                    state.writer = txn
                    if flags.hinted { state.declaredWriter = txn }
                } else {
                    readerTxn.append(txn)
                    readerNext.append(state.readers)
                    state.readers = readerTxn.count - 1
                }
                keyStates[id] = state
            }
            keyStart.append(txnKeys.count)
            sinceBarrier.append(txn)
        }

        // Compressed rows of successors, in the order edges were added.
        var successorStart = [Int](repeating: 0, count: count + 1)
        var predecessorCounts = [UInt32](repeating: 0, count: count)
        for edge in edgeFrom.indices {
            successorStart[Int(edgeFrom[edge]) + 1] += 1
            predecessorCounts[Int(edgeTo[edge])] += 1
        }
        for position in 0..<count { successorStart[position + 1] += successorStart[position] }
        var fill = successorStart
        var successors = [UInt32](repeating: 0, count: edgeFrom.count)
        for edge in edgeFrom.indices {
            let from = Int(edgeFrom[edge])
            successors[fill[from]] = edgeTo[edge]
            fill[from] += 1
        }
        self.keys = keys
        self.index = index
        self.keyStart = keyStart
        self.txnKeys = txnKeys
        self.txnKeyIDs = txnKeyIDs
        self.lastDeclaredWriters = lastDeclaredWriters
        self.creditKeyOfTransaction = creditKeyOfTransaction
        keyTakesCredits = keyStates.map(\.takesCredits)
        hasCredits = !creditorTxn.isEmpty
        self.declared = declared
        self.successorStart = successorStart
        self.successors = successors
        self.predecessorCounts = predecessorCounts
    }

    /// What the builder tracks per key: the epoch of the fields below (a
    /// barrier starts a new one), the last writer, the last declared writer
    /// for the hints, the heads of the lists of readers and of credits since
    /// that writer, and whether any transaction credits the key.
    private struct KeyState {
        var epoch: UInt32
        var writer = DependencyGraph.none
        var declaredWriter = DependencyGraph.none
        var readers = -1
        var creditors = -1
        var takesCredits = false
    }

    private struct SlotFlags {
        var write: Bool
        var hinted: Bool
        var credit: Bool
    }

    /// An index of `keys` with `capacity` slots (a power of two).
    private static func reindex(_ keys: [StateKey], capacity: Int) -> [UInt32] {
        var index = [UInt32](repeating: 0, count: capacity)
        for (id, key) in keys.enumerated() {
            var position = Int(truncatingIfNeeded: key.mixed) & (capacity - 1)
            while index[position] != 0 { position = (position + 1) & (capacity - 1) }
            index[position] = UInt32(id) + 1
        }
        return index
    }

    /// The id of `key` if some transaction of the block declared it.
    func keyID(_ key: StateKey) -> UInt32? {
        var position = Int(truncatingIfNeeded: key.mixed) & (index.count - 1)
        while index[position] != 0 {
            let id = index[position] - 1
            if keys[Int(id)] == key { return id }
            position = (position + 1) & (index.count - 1)
        }
        return nil
    }

    func predecessorCount(_ txn: UInt32) -> UInt32 { predecessorCounts[Int(txn)] }

    func successors(of txn: UInt32) -> ArraySlice<UInt32> {
        successors[successorStart[Int(txn)]..<successorStart[Int(txn) + 1]]
    }

    /// Positions of transaction `txn`'s declared keys in `txnKeys`, `txnKeyIDs`
    /// and `lastDeclaredWriters`.
    func keyRange(of txn: UInt32) -> Range<Int> { keyStart[Int(txn)]..<keyStart[Int(txn) + 1] }

    /// The last declared writer of `key` before transaction `txn` (`none`:
    /// none, or `txn` did not declare `key`, or declared it only as the
    /// beneficiary of a delta fee).
    @inline(__always)
    func lastDeclaredWriter(of key: StateKey, before txn: UInt32) -> UInt32 {
        for slot in keyRange(of: txn) where txnKeys[slot] == key { return lastDeclaredWriters[slot] }
        return DependencyGraph.none
    }

    /// Whether some transaction credits key `id` (see the type's doc).
    @inline(__always)
    func takesCredits(_ id: Int) -> Bool { hasCredits && keyTakesCredits[id] }

    /// The id of `key` if transaction `txn` declared it.
    @inline(__always)
    func declaredKeyID(_ key: StateKey, of txn: UInt32) -> UInt32? {
        for slot in keyRange(of: txn) where txnKeys[slot] == key { return txnKeyIDs[slot] }
        return nil
    }

    #if DEBUG
    func _checkInvariants() {
        var incoming = [UInt32](repeating: 0, count: count)
        for txn in 0..<UInt32(count) {
            var seen = Set<UInt32>()
            for successor in successors(of: txn) {
                precondition(successor > txn, "edge \(txn) → \(successor) goes backwards")
                precondition(seen.insert(successor).inserted, "edge \(txn) → \(successor) twice")
                incoming[Int(successor)] += 1
            }
        }
        precondition(incoming == predecessorCounts, "predecessor counts disagree with the edges")
        var previousBarrier: UInt32?
        for txn in 0..<UInt32(count) where !declared[Int(txn)] {
            let from = previousBarrier.map { $0 + 1 } ?? 0
            for earlier in from..<txn {
                precondition(successors(of: earlier).contains(txn), "barrier \(txn) does not wait for \(earlier)")
            }
            if let previousBarrier, from == txn {
                precondition(successors(of: previousBarrier).contains(txn), "barrier \(txn) does not wait for barrier \(previousBarrier)")
            }
            previousBarrier = txn
        }
    }
    #endif
}
