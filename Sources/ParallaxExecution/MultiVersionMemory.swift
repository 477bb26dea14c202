import CParallaxCore

/// The multi-version memory of Block-STM: for every key the block touches,
/// the values written by each transaction's latest incarnation, so that a
/// transaction reads exactly what the transactions before it wrote.
///
/// ## Structure
/// Keys are interned by `KeyTable`; a key's id is the address of its entry,
/// which holds the head of its version list. A version is a 32-byte node in the writer's
/// `WordArena`:
///
///     word 0  version word: ESTIMATE(63) | ABSENT(62) | DELTA(61) | incarnation(60...32) | value id(31...0)
///     word 1  next node (address; 0 ends the list)
///     word 2  writer's transaction index (never changes)
///     word 3  reserved
///
/// A DELTA version's value id names its operand (`DeltaOperand.stored`), so
/// one atomic load yields a consistent (incarnation, operand) pair. When its
/// transaction commits, the committer materializes it: the word becomes a
/// plain version of the same incarnation whose value is the folded result
/// (read descriptors, which carry writer and incarnation only, do not change).
///
/// A list is sorted by writer index, highest first, and holds at most one
/// node per transaction: later incarnations rewrite the node's version word
/// (ESTIMATE when the incarnation is aborted, ABSENT when a new incarnation
/// no longer writes the key). Nodes are never unlinked within a block.
///
/// ## Algorithms
/// - Read by transaction r (lock-free, wait-free in list length): walk from
///   the head past nodes of writers >= r and ABSENT ones; the first other
///   node is the version r sees (an ESTIMATE one means: wait for its
///   writer); the end of the list means: read the base state.
/// - Resolve by transaction r (`resolve`): the same walk, folding DELTA
///   versions onto the first full version below them (or the base state);
///   an ESTIMATE on the way means: wait for its writer.
/// - Insert (lock-free; only the executor of transaction t inserts t's
///   nodes, one incarnation at a time): find the link after the last node
///   of a writer > t; a node of t there is reused, otherwise a new node
///   (version word and next already set) is linked with a CAS on that link,
///   retried from the same link if another writer got in first.
///
/// ## Memory orders
/// Links are CAS'd with release and loaded with acquire, so a node's fields
/// happen-before any walk that reaches it. Version words are stored with
/// seq_cst and loaded with seq_cst: together with the scheduler's seq_cst
/// status words this gives Block-STM's required order that a validation
/// starting after an execution finished sees that execution's writes and
/// ESTIMATE marks. Values pointed to by a version word were stored before
/// the word (release sequence), so a reader may read them after its load.
///
/// ## Invariants (`_checkInvariants(keys:)`, quiescent)
/// - each list is strictly decreasing in writer index;
/// - after a completed block no version word is ESTIMATE or DELTA (every
///   delta was materialized when its transaction committed);
/// - a DELTA version's operand has width 8 or 16.
struct MultiVersionMemory {
    static let estimateBit: UInt64 = 1 << 63
    static let absentBit: UInt64 = 1 << 62
    static let deltaBit: UInt64 = 1 << 61
    static let incarnationMask: UInt64 = 0x1FFF_FFFF
    static let nodeWords = 4

    let values: ValueDirectory

    @inline(__always)
    static func versionWord(_ incarnation: UInt32, _ valueID: UInt32) -> UInt64 {
        UInt64(incarnation) << 32 | UInt64(valueID)
    }

    @inline(__always)
    static func node(_ address: UInt64) -> UnsafeMutablePointer<UInt64> {
        UnsafeMutablePointer<UInt64>(bitPattern: UInt(address)).unsafelyUnwrapped
    }

    /// What transaction `reader` sees of key `id`, encoded as a read
    /// descriptor: `storage` (no earlier version: read the base state),
    /// `(writer + 1) << 32 | incarnation` for a version, with the value id
    /// returned beside it (for a DELTA version, `isDelta`, its operand's),
    /// or `estimate | writer` when the version is an ESTIMATE.
    @inline(__always)
    func read(_ id: UInt64, by reader: UInt32) -> (descriptor: UInt64, valueID: UInt32, isDelta: Bool) {
        // Acquire pairs with the release CAS that linked each node.
        var address = px_atomic_load(KeyTable.head(id), px_load_acquire)
        while address != 0 {
            let node = MultiVersionMemory.node(address)
            let writer = UInt32(truncatingIfNeeded: px_atomic_load(node + 2, px_load_relaxed))
            if writer < reader {
                // seq_cst pairs with the writer's seq_cst store (see type doc).
                let word = px_atomic_load(node, px_load_seq_cst)
                if word & MultiVersionMemory.absentBit == 0 {
                    if word & MultiVersionMemory.estimateBit != 0 {
                        return (MultiVersionMemory.estimateDescriptor | UInt64(writer), 0, false)
                    }
                    let incarnation = (word >> 32) & MultiVersionMemory.incarnationMask
                    return ((UInt64(writer) + 1) << 32 | incarnation, UInt32(truncatingIfNeeded: word),
                            word & MultiVersionMemory.deltaBit != 0)
                }
            }
            address = px_atomic_load(node + 1, px_load_acquire)
        }
        return (MultiVersionMemory.storageDescriptor, 0, false)
    }

    static let storageDescriptor: UInt64 = 0
    static let estimateDescriptor: UInt64 = 1 << 63

    /// What a walk folding deltas found: the writer of an ESTIMATE, or the
    /// folded deltas (`width` 0: none) over either a full version's value or,
    /// with `needsBase`, the base state's value, which the caller reads
    /// (`applied(to:)`) so that the walk never copies the state view.
    struct Fold {
        var estimate: UInt32?
        var value: StateValue?
        var needsBase = false
        var sum: UInt128 = 0
        var width: UInt8 = 0

        /// The folded value over `below` (the full version's value, or the base's).
        func applied(to below: StateValue?) -> StateValue? {
            width == 0 ? below : DeltaOperand.encode((below?.uint128Value ?? 0) &+ sum, width: width)
        }
    }

    /// The value of key `id` as transaction `reader` sees it with every
    /// delta folded in, or the writer of an ESTIMATE met on the way. Deltas
    /// fold with wrapping arithmetic: a consistent chain never wraps, and an
    /// inconsistent (speculative) one is caught by validation.
    @inline(__always)
    func resolve(_ id: UInt64, by reader: UInt32) -> Fold {
        // Acquire pairs with the release CAS that linked each node.
        fold(from: px_atomic_load(KeyTable.head(id), px_load_acquire), below: reader)
    }

    /// `resolve` starting at node address `start`, skipping writers at or
    /// above `reader`.
    func fold(from start: UInt64, below reader: UInt32) -> Fold {
        var address = start
        var result = Fold()
        while address != 0 {
            let node = MultiVersionMemory.node(address)
            let writer = UInt32(truncatingIfNeeded: px_atomic_load(node + 2, px_load_relaxed))
            if writer < reader {
                // seq_cst pairs with the writer's seq_cst store (type doc).
                let word = px_atomic_load(node, px_load_seq_cst)
                if word & MultiVersionMemory.absentBit == 0 {
                    if word & MultiVersionMemory.estimateBit != 0 {
                        result.estimate = writer
                        return result
                    }
                    let value = values.value(UInt32(truncatingIfNeeded: word))
                    guard word & MultiVersionMemory.deltaBit != 0 else {
                        result.value = result.applied(to: value)
                        return result
                    }
                    let operand = DeltaOperand(stored: value.unsafelyUnwrapped)
                    if result.width == 0 { result.width = operand.width }
                    result.sum = operand.negative ? result.sum &- operand.magnitude : result.sum &+ operand.magnitude
                }
            }
            address = px_atomic_load(node + 1, px_load_acquire)
        }
        result.needsBase = true
        return result
    }

    /// Replaces the DELTA version `node` of a just-committed transaction by
    /// its folded value (stored in `arena`, the committer's); returns the
    /// value, or nil (and changes nothing) if `node` is not a delta.
    /// Every transaction below has committed, so the fold meets no ESTIMATE.
    func materialize(_ node: UnsafeMutablePointer<UInt64>, id: UInt64, base: BaseState, arena: ValueArena) -> StateValue?? {
        let word = px_atomic_load(node, px_load_seq_cst)
        guard word & (MultiVersionMemory.deltaBit | MultiVersionMemory.absentBit) == MultiVersionMemory.deltaBit else { return nil }
        let operand = DeltaOperand(stored: values.value(UInt32(truncatingIfNeeded: word)).unsafelyUnwrapped)
        let fold = fold(from: px_atomic_load(node + 1, px_load_acquire), below: .max)
        precondition(fold.estimate == nil, "an ESTIMATE below a committed transaction")
        let below = fold.needsBase ? fold.applied(to: base.read(KeyTable.key(id))) : fold.value
        let value = operand.encode(operand.wrappingApply(to: below?.uint128Value ?? 0))
        let valueID = arena.append(value)
        // seq_cst: joins the total order of version words (type doc); readers
        // see the delta or the value, which resolve alike.
        px_atomic_store(node, word & ~MultiVersionMemory.deltaBit & ~0xFFFF_FFFF | UInt64(valueID), px_store_seq_cst)
        return .some(value)
    }

    /// Records that `writer` writes `word` to key `id`. Returns the node and
    /// whether the key is a new location for the writer (no node yet, or
    /// one its previous incarnation had left ABSENT).
    @inline(__always)
    func write(_ id: UInt64, by writer: UInt32, word: UInt64, arena: WordArena) -> (node: UnsafeMutablePointer<UInt64>, isNew: Bool) {
        var link = KeyTable.head(id)
        // Acquire: as in `read`.
        var current = px_atomic_load(link, px_load_acquire)
        var fresh: UnsafeMutablePointer<UInt64>?
        while true {
            while current != 0 {
                let node = MultiVersionMemory.node(current)
                let other = UInt32(truncatingIfNeeded: px_atomic_load(node + 2, px_load_relaxed))
                if other == writer {
                    let old = px_atomic_exchange(node, word, px_rmw_seq_cst)
                    return (node, old & MultiVersionMemory.absentBit != 0)
                }
                if other < writer { break }
                link = node + 1
                current = px_atomic_load(link, px_load_acquire)
            }
            let node: UnsafeMutablePointer<UInt64>
            if let fresh { node = fresh } else {
                node = arena.allocate(MultiVersionMemory.nodeWords)
                px_atomic_store(node + 2, UInt64(writer), px_store_relaxed)
                px_atomic_store(node + 3, 0, px_store_relaxed)
                fresh = node
            }
            px_atomic_store(node, word, px_store_relaxed)
            px_atomic_store(node + 1, current, px_store_relaxed)
            // Release pairs with the acquire loads of links in read/write.
            if px_atomic_cas(link, &current, UInt64(UInt(bitPattern: node)), px_rmw_release) {
                // seq_cst store: the version word joins the single total order (type doc).
                px_atomic_store(node, word, px_store_seq_cst)
                // Relaxed: a statistic for scheduling hints, never for correctness.
                _ = px_atomic_fetch_add(KeyTable.writers(id), 1, px_rmw_relaxed)
                return (node, true)
            }
        }
    }

    /// Marks the version of an aborted incarnation ESTIMATE.
    @inline(__always)
    static func markEstimate(_ node: UnsafeMutablePointer<UInt64>) {
        // seq_cst: readers and validators must see it before the status change.
        _ = px_atomic_fetch_or(node, estimateBit, px_rmw_seq_cst)
    }

    /// Removes a version a new incarnation no longer writes.
    @inline(__always)
    static func markAbsent(_ node: UnsafeMutablePointer<UInt64>, incarnation: UInt32) {
        px_atomic_store(node, absentBit | UInt64(incarnation) << 32, px_store_seq_cst)
    }

    /// The final version word of key `id` (highest non-ABSENT node), or nil
    /// when no transaction's final incarnation writes it. Quiescent only.
    func finalVersion(_ id: UInt64) -> UInt64? {
        var address = px_atomic_load(KeyTable.head(id), px_load_acquire)
        while address != 0 {
            let node = MultiVersionMemory.node(address)
            let word = px_atomic_load(node, px_load_acquire)
            if word & MultiVersionMemory.absentBit == 0 { return word }
            address = px_atomic_load(node + 1, px_load_acquire)
        }
        return nil
    }

    #if DEBUG
    /// Checks the invariants of the type's documentation for `keys`.
    func _checkInvariants(keys: [UInt64], blockComplete: Bool) {
        for id in keys {
            var address = px_atomic_load(KeyTable.head(id), px_load_seq_cst)
            var previous = UInt64.max
            while address != 0 {
                let node = MultiVersionMemory.node(address)
                let writer = px_atomic_load(node + 2, px_load_seq_cst)
                precondition(previous == .max || writer < previous, "version list of key \(KeyTable.key(id)) is not strictly decreasing")
                let word = px_atomic_load(node, px_load_seq_cst)
                if blockComplete {
                    precondition(word & MultiVersionMemory.estimateBit == 0,
                                 "ESTIMATE left on key \(KeyTable.key(id)) by txn \(writer) after the block")
                    precondition(word & (MultiVersionMemory.deltaBit | MultiVersionMemory.absentBit) != MultiVersionMemory.deltaBit,
                                 "delta of txn \(writer) on key \(KeyTable.key(id)) not materialized at commit")
                }
                if word & (MultiVersionMemory.deltaBit | MultiVersionMemory.absentBit) == MultiVersionMemory.deltaBit {
                    let operand = DeltaOperand(stored: values.value(UInt32(truncatingIfNeeded: word)).unsafelyUnwrapped)
                    precondition(operand.width == 8 || operand.width == 16, "delta of txn \(writer) has width \(operand.width)")
                }
                previous = writer
                address = px_atomic_load(node + 1, px_load_seq_cst)
            }
        }
    }
    #endif
}
