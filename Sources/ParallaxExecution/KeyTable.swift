import CParallaxCore
import ParallaxConcurrency
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Interns the state keys a block touches: a lock-free, insert-only,
/// open-addressed hash index over per-worker key entries.
///
/// ## Layout
/// The index is an array of 64-bit slots in C memory (8 slots per cache
/// line, so a block's index stays small enough for the core's L2): a slot
/// is 0 (empty) or `fingerprint << 48 | address of the key's entry`, the
/// fingerprint being the top 16 bits of `key.mixed`. An entry is a 64-byte
/// line in the `WordArena` of the worker that first touched the key:
///
///     word 0-3  the key (w0...w3)
///     word 4    head of the key's version list (`MultiVersionMemory`)
///     word 5    number of transactions with a version of the key (its
///               contention, for the scheduling hint of `ParallelWorker`)
///     word 6-7  reserved for per-key metadata of later versions (delta
///               chains of commutative writes)
///
/// The entry's address is the key's id for the rest of the block: read-sets
/// and write records hold it, so validation needs no second lookup. Entries
/// of one worker are contiguous, so the keys a block touches occupy a dense
/// region instead of random lines of a table sized for the worst case.
///
/// ## Algorithm
/// Linear probing from `key.mixed & mask`. An inserter fills a fresh entry
/// (key, empty version list), then publishes it with a CAS of the empty
/// slot. If the CAS loses, the slot's new occupant is examined like any
/// other (it may be the same key, inserted concurrently); the fresh entry is
/// then reused for the next empty slot or abandoned to the arena. Keys are
/// never removed within a block, so meeting an empty slot proves absence.
/// A probe longer than `probeLimit` means the index is too full: `intern`
/// returns nil and the executor restarts the block with a larger index.
/// `beginBlock()` clears the index with a memset (8 bytes per slot: 1 MiB
/// for the 131,072 slots the executor sizes for a 10,000-transaction block).
///
/// ## Memory orders
/// The slot CAS is a release and probes load slots with acquire: an
/// entry's key and empty head happen-before any use of its address.
///
/// ## Invariants (`_checkInvariants()`, quiescent)
/// - every occupied slot holds a distinct key whose fingerprint it carries;
/// - each key is reachable from its home slot without crossing an empty one.
final class KeyTable: @unchecked Sendable {
    static let probeLimit = 256
    static let entryWords = 8
    static let addressMask: UInt64 = (1 << 48) - 1

    let capacity: Int
    let mask: UInt64
    let slots: SlotArray
    let index: UnsafeMutablePointer<UInt64>

    /// - Parameter capacity: slots, rounded up to a power of two, at least 64.
    init(capacity: Int, node: NodeID?) throws(SlotArrayError) {
        let rounded = Swift.max(64, 1 << (Int.bitWidth - (Swift.max(capacity, 2) - 1).leadingZeroBitCount))
        self.capacity = rounded
        mask = UInt64(rounded - 1)
        slots = try SlotArray(count: rounded / 8, lineSize: .line, node: node)
        index = slots.word(0)
    }

    /// Empties the index for a new block. Call while no thread uses it.
    func beginBlock() {
        memset(index, 0, capacity * 8)
    }

    @inline(__always)
    static func entry(_ id: UInt64) -> UnsafeMutablePointer<UInt64> {
        UnsafeMutablePointer<UInt64>(bitPattern: UInt(id)).unsafelyUnwrapped
    }

    /// The version-list head word of key `id`.
    @inline(__always)
    static func head(_ id: UInt64) -> UnsafeMutablePointer<UInt64> { entry(id) + 4 }

    /// The count of writers of key `id` (see the layout).
    @inline(__always)
    static func writers(_ id: UInt64) -> UnsafeMutablePointer<UInt64> { entry(id) + 5 }

    /// The key of id `id`.
    static func key(_ id: UInt64) -> StateKey {
        let words = entry(id)
        return StateKey(px_atomic_load(words, px_load_relaxed), px_atomic_load(words + 1, px_load_relaxed),
                        px_atomic_load(words + 2, px_load_relaxed), px_atomic_load(words + 3, px_load_relaxed))
    }

    /// The index as plain pointers, for workers (see `KeyIndex`).
    var view: KeyIndex { KeyIndex(index: index, mask: mask) }

    /// `KeyIndex.intern` on this table.
    @inline(__always)
    func intern(_ key: StateKey, arena: WordArena) -> (id: UInt64, inserted: Bool)? {
        view.intern(key, arena: arena)
    }

    #if DEBUG
    /// Checks the invariants of the type's documentation. Quiescent only.
    func _checkInvariants() {
        var seen = Set<StateKey>()
        for position in 0..<capacity {
            let value = px_atomic_load(index + position, px_load_seq_cst)
            guard value != 0 else { continue }
            let key = KeyTable.key(value & KeyTable.addressMask)
            precondition(seen.insert(key).inserted, "key \(key) interned twice")
            precondition(key.mixed >> 48 == value >> 48, "slot \(position) carries a wrong fingerprint")
            var probe = key.mixed & mask
            while probe != UInt64(position) {
                precondition(px_atomic_load(index + Int(probe), px_load_seq_cst) != 0,
                             "key \(key) at slot \(position) is cut off from its home by an empty slot")
                probe = (probe + 1) & mask
            }
        }
    }
    #endif
}

/// The lookup side of a `KeyTable`: its slot array and mask, copied into
/// each worker so that interning never touches the table object's shared
/// reference count. Valid while the table lives.
struct KeyIndex: @unchecked Sendable {
    let index: UnsafeMutablePointer<UInt64>
    let mask: UInt64

    /// The id of `key`, inserting it (with an entry from `arena`) if absent;
    /// `inserted` tells whether this call inserted it. Nil when the index is
    /// too full.
    @inline(__always)
    func intern(_ key: StateKey, arena: WordArena) -> (id: UInt64, inserted: Bool)? {
        let hash = key.mixed
        let fingerprint = hash >> 48
        var position = hash & mask
        var fresh: UnsafeMutablePointer<UInt64>?
        for _ in 0..<KeyTable.probeLimit {
            let slot = index + Int(position)
            // Acquire pairs with the inserter's release CAS.
            var value = px_atomic_load(slot, px_load_acquire)
            while value == 0 {
                let entry: UnsafeMutablePointer<UInt64>
                if let fresh { entry = fresh } else {
                    entry = arena.allocate(KeyTable.entryWords)
                    px_atomic_store(entry, key.w0, px_store_relaxed)
                    px_atomic_store(entry + 1, key.w1, px_store_relaxed)
                    px_atomic_store(entry + 2, key.w2, px_store_relaxed)
                    px_atomic_store(entry + 3, key.w3, px_store_relaxed)
                    for word in 4..<KeyTable.entryWords { px_atomic_store(entry + word, 0, px_store_relaxed) }
                    fresh = entry
                }
                let id = UInt64(UInt(bitPattern: entry))
                // Release pairs with the probers' acquire loads.
                if px_atomic_cas(slot, &value, fingerprint << 48 | id, px_rmw_release) { return (id, true) }
            }
            if value >> 48 == fingerprint {
                let id = value & KeyTable.addressMask
                let entry = KeyTable.entry(id)
                if px_atomic_load(entry, px_load_relaxed) == key.w0, px_atomic_load(entry + 1, px_load_relaxed) == key.w1,
                   px_atomic_load(entry + 2, px_load_relaxed) == key.w2, px_atomic_load(entry + 3, px_load_relaxed) == key.w3 {
                    return (id, false)
                }
            }
            position = (position &+ 1) & mask
        }
        return nil
    }
}
