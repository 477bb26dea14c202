/// Where a benchmark may place work inside a built-in contract's
/// `execute`: `entry` before the contract's first state access (a VM's
/// decoding and dispatch) and `body` between its checks and its writes (the
/// computation). Where the time falls decides how long a transaction's reads
/// stay exposed to conflicting writers, so a wrapper around the whole call
/// could not stand in for it.
///
/// Package access only: the contracts' public model has no benchmark
/// knob. The public `execute(in:)` passes `NoContractWork`, whose empty
/// methods specialize away; the workloads' `VMWork` is the other conformer
/// (`WorkedTransaction` in ParallaxWorkloads). Each contract's
/// `execute(in:work:)` is `@inlinable`, so that a conformer in another module
/// gets a specialized copy rather than calls through a witness table.
@usableFromInline
package protocol ContractWorkHook {
    /// Called once, before the first state access; `seed` comes from the
    /// transaction's fields.
    func entry(seed: UInt64)
    /// Called at most once, after the checks that read state and before the
    /// writes; `seed` comes from values the contract has read.
    func body(seed: UInt64)
}

/// No work: what the contracts' public `execute(in:)` runs with.
package struct NoContractWork: ContractWorkHook {
    @inlinable
    package init() {}

    @inlinable
    package func entry(seed: UInt64) {}

    @inlinable
    package func body(seed: UInt64) {}
}
