/// Read access to the state a block executes against (the base state).
///
/// Executors read it from many worker threads at once, so `read` must be
/// safe to call concurrently and must not change while a block executes.
/// `commitment` is the multiset commitment of every entry (see
/// `StateCommitment`); executors update it with the block's delta to produce
/// the block's state root.
public protocol StateView: Sendable {
    /// The value of `key` in this state (nil: absent). Called from many threads at once.
    func read(_ key: StateKey) -> StateValue?
    /// The commitment to the whole state, whose `root` is the state root.
    var commitment: StateCommitment { get }
}

/// A state held in a dictionary, with its commitment maintained as entries
/// change. The default base state of the harness and the tests.
public struct InMemoryState: StateView {
    /// Every key and its value.
    public private(set) var entries: [StateKey: StateValue]
    /// The commitment to `entries`, kept up to date by `set` and `apply`.
    public private(set) var commitment: StateCommitment

    /// The empty state.
    public init() {
        entries = [:]
        commitment = StateCommitment()
    }

    /// A state holding `entries` (the commitment is computed once, from all of them).
    public init(_ entries: [StateKey: StateValue]) {
        self.entries = entries
        var commitment = StateCommitment()
        for (key, value) in entries { commitment.insert(key, value) }
        self.commitment = commitment
    }

    /// The value of `key` (nil: absent).
    @inlinable
    public func read(_ key: StateKey) -> StateValue? { entries[key] }

    /// Sets (or with nil, deletes) one entry.
    public mutating func set(_ key: StateKey, _ value: StateValue?) {
        let old = value.map { entries.updateValue($0, forKey: key) } ?? entries.removeValue(forKey: key)
        commitment.update(key, from: old, to: value)
    }

    /// Applies a block's delta; afterwards `commitment.root` equals the
    /// block's `stateRoot`.
    public mutating func apply(_ delta: StateDelta) {
        for write in delta.writes { set(write.key, write.value) }
    }

    /// The number of keys.
    public var count: Int { entries.count }
}
