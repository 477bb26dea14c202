/// A point in a transaction's execution that a nested call can return to:
/// `ExecutionContext.checkpoint()` opens one, `revert(to:)` undoes every
/// write, delete, delta and event since, and `commit(_:)` keeps them as part
/// of the enclosing call. What a VM needs for a call that fails inside a
/// transaction that goes on (the EVM's CALL that reverts, a Move abort
/// caught by its caller).
///
/// Gas is not given back (a reverted call still used it), a sticky failure
/// (out of gas, a suspension, an undeclared access) stays, and reads stay
/// recorded: a parallel executor validates what the transaction read, even
/// in a call that was undone. Checkpoints nest; reverting or committing one
/// closes the ones opened after it. Those still open when the contract
/// returns keep their writes.
public struct Checkpoint: Hashable, Sendable {
    let serial: UInt64
    let journalCount: Int
    let eventCount: Int
}

/// Why `revert(to:)` or `commit(_:)` refused a checkpoint.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The checkpoint is not open: already reverted or committed (or closed
    /// with an enclosing one), or taken in another transaction.
    case notOpen

    public var description: String {
        switch self {
        case .notOpen: "checkpoint is not open (already reverted or committed, or from another transaction)"
        }
    }
}

/// How to undo one change of the write buffer.
enum JournalEntry {
    /// A new slot was appended (undone by removing the last slot).
    case appended
    /// An existing slot held this value and delta.
    case replaced(slot: Int, value: StateValue?, delta: DeltaOperand?)
}

extension ExecutionContext {
    /// Opens a checkpoint (no gas).
    public func checkpoint() -> Checkpoint {
        state.pointee.checkpointSerial &+= 1
        let checkpoint = Checkpoint(serial: state.pointee.checkpointSerial, journalCount: state.pointee.journal.count,
                                    eventCount: events.count)
        state.pointee.checkpoints.append(checkpoint)
        state.pointee.journaling = true
        return checkpoint
    }

    /// Undoes every change to state and every event since `checkpoint`, and
    /// closes it with the checkpoints opened after it.
    public func revert(to checkpoint: Checkpoint) throws(CheckpointError) {
        let depth = try openDepth(of: checkpoint)
        var journal = state.pointee.journal
        state.pointee.journal = []
        while journal.count > checkpoint.journalCount {
            switch journal.removeLast() {
            case .appended:
                let key = keys.removeLast()
                values.removeLast()
                deltas.removeLast()
                if !writeLookup.isEmpty { writeLookup[key] = nil }
            case .replaced(let slot, let value, let delta):
                values[slot] = value
                deltas[slot] = delta
            }
        }
        state.pointee.journal = journal
        if events.count > checkpoint.eventCount { events.removeSubrange(checkpoint.eventCount...) }
        close(from: depth)
    }

    /// Keeps the changes since `checkpoint` as part of the enclosing call
    /// (or of the transaction), and closes it with the ones opened after it.
    public func commit(_ checkpoint: Checkpoint) throws(CheckpointError) {
        close(from: try openDepth(of: checkpoint))
    }

    /// Whether `checkpoint` is open.
    public func isOpen(_ checkpoint: Checkpoint) -> Bool {
        state.pointee.checkpoints.contains(checkpoint)
    }

    private func openDepth(of checkpoint: Checkpoint) throws(CheckpointError) -> Int {
        guard let depth = state.pointee.checkpoints.lastIndex(of: checkpoint) else { throw .notOpen }
        return depth
    }

    private func close(from depth: Int) {
        state.pointee.checkpoints.removeSubrange(depth...)
        if state.pointee.checkpoints.isEmpty {
            state.pointee.journal.removeAll(keepingCapacity: true)
            state.pointee.journaling = false
        }
    }

    /// Closes every checkpoint (between transactions, and when the contract
    /// returns with some still open: their writes stand).
    func closeCheckpoints() {
        if !state.pointee.checkpoints.isEmpty { state.pointee.checkpoints.removeAll(keepingCapacity: true) }
        if !state.pointee.journal.isEmpty { state.pointee.journal.removeAll(keepingCapacity: true) }
        state.pointee.journaling = false
    }

    /// Records what `slot` holds before a change inside a checkpoint.
    func journalSlot(_ slot: Int) {
        state.pointee.journal.append(.replaced(slot: slot, value: values[slot], delta: deltas[slot]))
    }
}
