import ParallaxExecution
import ParallaxState

/// The base state of the block being executed while earlier blocks may still
/// be waiting for (or in) their commit: the store overlaid with the deltas of
/// executed but possibly uncommitted blocks.
///
/// Each overlay entry remembers the height of the block that last wrote it;
/// before each block the execute stage drops the entries of blocks the store
/// has committed (the store then holds the same value). Pending deltas are
/// kept in height order, so dropping a block costs its delta's size, not the
/// overlay's. A key some pending
/// block writes is always answered from the overlay, so a commit running
/// concurrently on the commit thread never changes what a read returns.
/// The dictionary changes only between blocks, on the execute thread; during
/// a block the executor's workers only read it.
final class PendingOverlay: StateView, @unchecked Sendable {
    let store: any StateStore
    private var entries: [StateKey: (value: StateValue?, height: BlockHeight)] = [:]
    /// The deltas still in `entries`, oldest first.
    private var pending: [(height: BlockHeight, delta: StateDelta)] = []
    /// Commitment of the store with every pending delta applied.
    private(set) var commitment: StateCommitment

    init(store: any StateStore) {
        self.store = store
        commitment = store.commitment
    }

    func read(_ key: StateKey) -> StateValue? {
        if let entry = entries[key] { return entry.value }
        return store.read(key)
    }

    /// Adds the delta of the block executed at `height`.
    func push(_ delta: StateDelta, height: BlockHeight) {
        for write in delta.writes {
            commitment.update(write.key, from: read(write.key), to: write.value)
        }
        for write in delta.writes { entries[write.key] = (write.value, height) }
        pending.append((height, delta))
    }

    /// Drops the entries of blocks at or below `committed`.
    func prune(committed: BlockHeight) {
        var dropped = 0
        for (height, delta) in pending {
            guard height <= committed else { break }
            // A later pending block's write to the same key stays.
            for write in delta.writes where entries[write.key]?.height == height { entries[write.key] = nil }
            dropped += 1
        }
        pending.removeFirst(dropped)
    }

    /// Keys answered from the overlay (for `_checkInvariants` and tests).
    var pendingKeys: Int { entries.count }

    /// Every entry belongs to a pending delta that wrote it last.
    func _checkInvariants() {
        var last: [StateKey: BlockHeight] = [:]
        for (height, delta) in pending {
            for write in delta.writes { last[write.key] = height }
        }
        precondition(last.count == entries.count, "overlay holds \(entries.count) keys, pending deltas write \(last.count)")
        for (key, entry) in entries { precondition(last[key] == entry.height, "overlay entry \(key) is not from its last writer") }
    }
}
