/// The stand-in for the cost of a VM executing a contract: `BusyWork` split
/// in two halves, one before the contract's first state access (decoding,
/// dispatch) and one between its checks and its writes (the computation),
/// because a VM spends time in both places and where the time falls decides
/// how long a transaction's reads stay exposed to conflicting writers.
///
/// The seed of each half comes from values the contract has seen, so the
/// work cannot be hoisted or folded away; its result never reaches state
/// (`BusyWork.burn`), so the machine-dependent iteration count never changes
/// a state root.
///
/// The contracts carry no such knob: a generator places the work with
/// `placed(_:)`, which wraps a contract transaction in a `WorkedTransaction`
/// that runs the contract's `execute(in:work:)` (`ContractWorkHook`).
public struct VMWork: Sendable, Equatable {
    public var iterations: Int

    public init(nanoseconds: Int) {
        iterations = nanoseconds <= 0 ? 0 : BusyWork.iterations(forNanoseconds: nanoseconds)
    }

    @inlinable
    public func entry(seed: UInt64) {
        if iterations > 0 { BusyWork.burn(iterations: iterations / 2, seed: seed) }
    }

    @inlinable
    public func body(seed: UInt64) {
        if iterations > 0 { BusyWork.burn(iterations: iterations - iterations / 2, seed: seed) }
    }
}
