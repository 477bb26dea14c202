import ParallaxExecution

/// The default state store: a dictionary behind a reader-writer lock, with
/// the state commitment kept up to date per commit. Nothing survives the
/// process; use `LMDBStateStore` for durability.
public final class InMemoryStateStore: StateStore, @unchecked Sendable {
    private let lock = ReadWriteLock()
    // Guarded by `lock`.
    private var state: InMemoryState
    private var committedHeight: BlockHeight

    /// A store at height 0 holding `genesis`.
    public init(genesis: InMemoryState = InMemoryState()) {
        state = genesis
        committedHeight = .genesis
    }

    /// Value under `key` in the committed state.
    public func read(_ key: StateKey) -> StateValue? { lock.withReadLock { state.read(key) } }

    /// Commitment of the committed state.
    public var commitment: StateCommitment { lock.withReadLock { state.commitment } }

    /// Height of the last committed block.
    public var height: BlockHeight { lock.withReadLock { committedHeight } }

    /// Number of entries.
    public var count: Int { lock.withReadLock { state.count } }

    /// A copy of every entry (for tests and tools; takes the read lock once).
    public var entries: [StateKey: StateValue] { lock.withReadLock { state.entries } }

    /// Applies `delta` as the block at `height`; see `StateStore`.
    @discardableResult
    public func commit(_ delta: StateDelta, height: BlockHeight, expectedRoot: StateRoot? = nil) throws(StateStoreError) -> StateRoot {
        try lock.withWriteLock { () throws(StateStoreError) -> StateRoot in
            guard height == committedHeight.next else {
                throw .unexpectedHeight(expected: committedHeight.next, given: height)
            }
            if let expectedRoot {
                // Check before touching the state, so a refused block changes nothing.
                var commitment = state.commitment
                for write in delta.writes { commitment.update(write.key, from: state.read(write.key), to: write.value) }
                let computed = commitment.root
                guard computed == expectedRoot else {
                    throw .stateRootMismatch(height: height, expected: expectedRoot, computed: computed)
                }
            }
            state.apply(delta)
            committedHeight = height
            return state.commitment.root
        }
    }
}
