import CParallax
import ParallaxConcurrency

/// Interns the state keys a block touches into dense key ids: a lock-free,
/// insert-only, open-addressed hash table whose entries are C slot lines.
///
/// ## Layout
/// One 64-byte line per entry, so a lookup costs one cache line:
///
///     word 0  tag: generation << 2 | state (0 empty, 1 busy, 2 ready)
///     word 1-4  the key (w0...w3)
///     word 5  head of the key's version list (`MultiVersionMemory`)
///     word 6-7  reserved for per-key metadata of later versions (delta
///               chains of commutative writes)
///
/// The key id is the entry's index. Entries carry the generation of the
/// block that claimed them; an entry of an older generation is empty, so a
/// new block starts with `beginBlock()` in O(1) instead of clearing memory.
///
/// ## Algorithm
/// Linear probing from `key.mixed & mask`. An inserter claims an empty entry
/// with a CAS of its tag to `busy`, fills the key and version head with
/// relaxed stores, then publishes `ready` with a release store; a prober that
/// meets `busy` waits for `ready` (the claimer is between two stores). Keys
/// are never removed within a block, so a probe that meets an empty entry
/// knows the key is absent. A probe sequence longer than `probeLimit` means
/// the table is too full: `intern` returns nil and the executor restarts the
/// block with a larger table (rare: it sizes the table from the block).
///
/// ## Memory orders
/// The release store of `ready` pairs with the prober's acquire load of the
/// tag: the key words and the empty version head happen-before any use of
/// the id. The claim CAS is relaxed: it only arbitrates ownership.
///
/// ## Invariants (`_checkInvariants()`, quiescent)
/// - every entry of this generation is `ready` and holds a distinct key;
/// - each such key is found by its own probe sequence without crossing an
///   empty entry.
final class KeyTable: @unchecked Sendable {
    static let probeLimit = 512
    static let stateBusy: UInt64 = 1
    static let stateReady: UInt64 = 2

    let capacity: Int
    let mask: UInt64
    let slots: SlotArray
    let base: UnsafeMutableRawPointer
    private(set) var generation: UInt64 = 0

    /// - Parameter capacity: rounded up to a power of two, at least 64.
    init(capacity: Int, node: NodeID?) throws(SlotArrayError) {
        let rounded = Swift.max(64, 1 << (Int.bitWidth - (Swift.max(capacity, 2) - 1).leadingZeroBitCount))
        self.capacity = rounded
        mask = UInt64(rounded - 1)
        slots = try SlotArray(count: rounded, lineSize: .line, node: node)
        base = slots.base
    }

    /// Empties the table for a new block. Call while no thread uses it.
    func beginBlock() {
        generation += 1
    }

    @inline(__always)
    func word(_ id: UInt32, _ word: Int) -> UnsafeMutablePointer<UInt64> {
        (base + Int(id) &* 64).assumingMemoryBound(to: UInt64.self) + word
    }

    /// The version-list head word of key `id`.
    @inline(__always)
    func head(_ id: UInt32) -> UnsafeMutablePointer<UInt64> { word(id, 5) }

    /// The key of id `id` (valid once `intern` returned it).
    func key(_ id: UInt32) -> StateKey {
        StateKey(px_atomic_load(word(id, 1), px_relaxed), px_atomic_load(word(id, 2), px_relaxed),
                 px_atomic_load(word(id, 3), px_relaxed), px_atomic_load(word(id, 4), px_relaxed))
    }

    /// The id of `key`, inserting it if absent (then appending the id to
    /// `claimed`). Nil when the table is too full.
    @inline(__always)
    func intern(_ key: StateKey, claimed: inout [UInt32]) -> UInt32? {
        let ready = generation << 2 | KeyTable.stateReady
        var index = key.mixed & mask
        for _ in 0..<KeyTable.probeLimit {
            let id = UInt32(truncatingIfNeeded: index)
            let tagWord = word(id, 0)
            // Acquire pairs with the claimer's release store of `ready`.
            var tag = px_atomic_load(tagWord, px_acquire)
            if tag >> 2 != generation {
                var expected = tag
                // Relaxed: ownership only; the key is published by the release below.
                if px_atomic_cas(tagWord, &expected, generation << 2 | KeyTable.stateBusy, px_relaxed) {
                    px_atomic_store(word(id, 1), key.w0, px_relaxed)
                    px_atomic_store(word(id, 2), key.w1, px_relaxed)
                    px_atomic_store(word(id, 3), key.w2, px_relaxed)
                    px_atomic_store(word(id, 4), key.w3, px_relaxed)
                    px_atomic_store(word(id, 5), 0, px_relaxed)
                    px_atomic_store(word(id, 6), 0, px_relaxed)
                    px_atomic_store(word(id, 7), 0, px_relaxed)
                    // Release pairs with the probers' acquire loads of the tag.
                    px_atomic_store(tagWord, ready, px_release)
                    claimed.append(id)
                    return id
                }
                tag = expected
            }
            while tag != ready {
                // Busy: the claimer is between its claim and its publication.
                px_cpu_relax()
                tag = px_atomic_load(tagWord, px_acquire)
            }
            if px_atomic_load(word(id, 1), px_relaxed) == key.w0, px_atomic_load(word(id, 2), px_relaxed) == key.w1,
               px_atomic_load(word(id, 3), px_relaxed) == key.w2, px_atomic_load(word(id, 4), px_relaxed) == key.w3 {
                return id
            }
            index = (index &+ 1) & mask
        }
        return nil
    }

    #if DEBUG
    /// Checks the invariants of the type's documentation. Quiescent only.
    func _checkInvariants() {
        var seen = Set<StateKey>()
        for index in 0..<capacity {
            let id = UInt32(index)
            let tag = px_atomic_load(word(id, 0), px_seq_cst)
            guard tag >> 2 == generation else { continue }
            precondition(tag & 3 == KeyTable.stateReady, "entry \(index) of this block is not ready")
            let key = self.key(id)
            precondition(seen.insert(key).inserted, "key \(key) interned twice")
            var probe = key.mixed & mask
            while probe != UInt64(index) {
                precondition(px_atomic_load(word(UInt32(probe), 0), px_seq_cst) >> 2 == generation,
                             "key \(key) at \(index) is cut off from its home \(key.mixed & mask) by an empty entry")
                probe = (probe + 1) & mask
            }
        }
    }
    #endif
}
