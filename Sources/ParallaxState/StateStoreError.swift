import ParallaxExecution

/// Why a state store refused a commit or could not open.
public enum StateStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A block was committed out of order: replaying a height already
    /// committed (`given <= expected - 1`) or skipping one (`given > expected`).
    case unexpectedHeight(expected: BlockHeight, given: BlockHeight)
    /// The root the store computed from the delta differs from the root the
    /// caller expected (the executor's `BlockOutput.stateRoot`): the delta was
    /// executed against another state. Nothing was written.
    case stateRootMismatch(height: BlockHeight, expected: StateRoot, computed: StateRoot)
    /// A stored entry is not a Parallax state entry (wrong key length) or the
    /// metadata record is damaged.
    case corrupt(String)
    /// An LMDB call failed: which call, its return code and LMDB's message.
    case lmdb(operation: String, code: Int32, message: String)

    /// A sentence naming what went wrong.
    public var description: String {
        switch self {
        case .unexpectedHeight(let expected, let given):
            "state store: expected the block at \(expected), got one at \(given)"
                + (given < expected ? " (already committed)" : " (a height was skipped)")
        case .stateRootMismatch(let height, let expected, let computed):
            "state store: block at \(height) yields state root \(computed), the caller expected \(expected)"
        case .corrupt(let what):
            "state store: corrupt: \(what)"
        case .lmdb(let operation, let code, let message):
            "state store: LMDB \(operation) failed (\(code)): \(message)"
        }
    }
}
