/// Executes a block one transaction after another: the oracle that defines
/// the result every other executor must reproduce exactly.
///
/// Each transaction reads the base state overlaid with the writes of the
/// transactions before it (`overlay`); its write-set then goes into the
/// overlay. The overlay is the block's state delta.
public final class SequentialExecutor: BlockExecutor, @unchecked Sendable {
    public private(set) var lastStatistics = ExecutionStatistics()
    /// Whether an access outside a transaction's `declaredAccess` fails it
    /// (`TransactionStatus.undeclaredAccess`): the oracle of
    /// `DeclaredAccessExecutor`.
    public let enforcesDeclarations: Bool

    /// The oracle; with `enforcingDeclarations`, the oracle of `DeclaredAccessExecutor`.
    public init(enforcingDeclarations: Bool = false) {
        enforcesDeclarations = enforcingDeclarations
    }

    /// Never throws: the oracle needs no memory beyond the block's own.
    public func tryExecute(_ transactions: [any Transaction], on base: any StateView) -> BlockOutput {
        let reader = OverlayReader(base: base)
        let context = ExecutionContext(reader: reader)
        context.enforcesDeclarations = enforcesDeclarations
        var outputs: [TransactionOutput] = []
        outputs.reserveCapacity(transactions.count)
        for (position, transaction) in transactions.enumerated() {
            guard case .finished(let output) = context.run(transaction, at: TxnIndex(UInt32(position))) else {
                preconditionFailure("the sequential reader never suspends")
            }
            for write in output.writeSet { reader.overlay[write.key] = .some(write.value) }
            outputs.append(output)
        }
        var statistics = ExecutionStatistics()
        statistics.executions = transactions.count
        statistics.inOrder = transactions.count
        lastStatistics = statistics
        return BlockOutput(transactions: outputs, finalWrites: reader.overlay.lazy.map { StateWrite(key: $0.key, value: $0.value) },
                           over: base)
    }
}

/// The block so far over the base state.
final class OverlayReader: ContextReader {
    let base: any StateView
    /// Last write of the block to each key (`.some(nil)`: deleted).
    var overlay: [StateKey: StateValue?] = [:]

    init(base: any StateView) { self.base = base }

    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        if let written = overlay[key] { return written }
        return base.read(key)
    }

    func checkDelta(_ key: StateKey, _ delta: DeltaOperand, upper: UInt128) throws(ExecutionError) -> Bool {
        delta.apply(to: try readThrough(key)?.uint128Value ?? 0, upper: upper) != nil
    }

    func deltaResult(_ key: StateKey, _ delta: DeltaOperand) -> StateValue? {
        let below = overlay[key] ?? base.read(key)
        return applyOwn(delta, to: below)
    }
}
