import ParallaxExecution

/// Where committed state lives: the base `StateView` blocks execute against,
/// plus an atomic per-block commit.
///
/// ## Contract
/// - `commit(_:height:expectedRoot:)` applies a block's state delta, its height
///   and its state root together: a reader (and, for a durable store, a
///   process restarted after a crash at any moment) sees either all of the
///   block or none of it.
/// - Heights advance one at a time from the store's current `height`:
///   committing any other height throws `StateStoreError.unexpectedHeight`
///   and changes nothing, so a replayed block is refused.
/// - The state root is the `StateCommitment` of every entry (AdHash over
///   entry hashes). The store keeps the commitment and updates it per block
///   from each written key's old and new value, so a commit costs work
///   proportional to the delta, never to the state.
/// - `read` and `commitment` may be called from many threads at once, also
///   while a commit runs on another thread; a reader sees a key's value
///   before or after the commit (the pipeline reads keys a pending commit
///   writes from its own overlay, so either is the same value).
public protocol StateStore: StateView, AnyObject {
    /// Height of the last committed block (`.genesis` before the first).
    var height: BlockHeight { get }
    /// Root of the committed state: `commitment.root`.
    var stateRoot: StateRoot { get }
    /// Applies `delta` as the block at `height` (which must be
    /// `self.height.next`). When `expectedRoot` is given, the commit is refused
    /// unless the incrementally updated root equals it. Returns the new root.
    @discardableResult
    func commit(_ delta: StateDelta, height: BlockHeight, expectedRoot: StateRoot?) throws(StateStoreError) -> StateRoot
}

extension StateStore {
    /// Root of the committed state.
    public var stateRoot: StateRoot { commitment.root }
}
