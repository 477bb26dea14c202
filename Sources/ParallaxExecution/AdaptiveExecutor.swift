import ParallaxConcurrency
import ParallaxTopology

/// The default executor: Block-STM while the block has parallelism, the
/// transactions in order on one thread while it is a dependency chain, and
/// back again, decided inside the block from what the block does. Its
/// output is `SequentialExecutor()`'s, byte for byte.
///
/// A node cannot choose its blocks, and on a chain every parallel executor
/// costs more than running it in order (Block-STM suspends each transaction
/// on its predecessor and hands it over; the declared executor pays its
/// graph and counters for no overlap). So the executor alternates between
/// two modes over one block:
///
/// - **Block-STM** (`ParallelExecutor` on the executor's pool) with the
///   contention monitor on (`BlockMonitor`): each worker counts, over its
///   last 64 finished executions, how many were re-executions (the
///   transaction had suspended on, or been aborted by, an earlier one). When
///   `contendedShare` of them were, the worker yields the block. With a
///   sequential estimate at hand, the worker holding the commit lock also
///   compares the committed prefix's wall time with what running it in
///   order would have taken (see below), every 128 commits, and yields when Block-STM is
///   more than 15% behind: that catches workers descheduled by other
///   processes on the same cores (oversubscription), where Block-STM
///   otherwise falls far below one core. Block-STM commits a prefix in
///   order, and a committed transaction's output and materialized write-set
///   are final, so a yield keeps that prefix and loses only the speculative
///   work beyond it.
/// - **In order with a probe**: the transactions from the yield on run one
///   after another on the caller's thread over the base state overlaid with
///   the block's writes so far (the overlay of `SequentialExecutor`). The
///   overlay remembers each key's last writer, so a transaction that reads a
///   key written by one of the few transactions just before it (as many as
///   Block-STM would have in flight) is *dependent*. After at least a
///   minimum run, when fewer than `resumeShare` of a window of 128 were
///   dependent, the rest goes back to Block-STM, over the overlay as its base
///   state. The minimum doubles after every yield of the block (starting at
///   256), so a block at the edge between the modes cannot make it thrash.
///
/// Stitching is exact: outputs are the prefix's, then the suffix's; the
/// state delta is the overlay (every key the block wrote, its last value,
/// as the sequential executor builds it) and the root is the base
/// commitment updated by that delta, as there. A block that Block-STM runs
/// from start to end without a yield is returned as Block-STM produced it
/// (no overlay, no extra pass).
///
/// Across blocks it remembers whether the last block ended in order on a
/// chain (the next one then starts in order, so a run of contended blocks
/// pays no failed Block-STM start per block; the probe still brings back
/// Block-STM as soon as the block allows), and the pace check's estimates:
/// the wall time of a transaction run in order (an average over the
/// in-order runs so far), and, until one has run, the thread CPU time of
/// one Block-STM execution, which the workers sample (one in 32).
///
/// With one worker there is nothing to win: every block runs in order.
///
/// The declared-access executor is not one of the modes: it enforces
/// declarations (its oracle is `SequentialExecutor(enforcingDeclarations:
/// true)`), which would make a transaction's outcome depend on the executor
/// that happened to be picked. It stays an explicit choice, as the hybrid.
///
/// One block at a time: `execute` must not be called concurrently.
public final class AdaptiveExecutor: BlockExecutor, @unchecked Sendable {
    /// The workers of the Block-STM mode.
    public var pool: WorkerPool { parallel.pool }
    public private(set) var lastStatistics = ExecutionStatistics()
    /// How the last block was divided between the modes.
    public private(set) var lastReport = AdaptiveReport()

    /// The share of a worker's last 64 finished executions that must have
    /// been re-executions for it to yield the block (default 0.75). A
    /// re-execution share near the share of transactions on the chain;
    /// Block-STM with the contention hint breaks even with in-order
    /// execution when about nine in ten transactions are on one chain (two
    /// cores, synthetic workload), and some chain transactions find their
    /// predecessor done and run once, so the measured share stays below it.
    public var contendedShare = 0.75 {
        didSet { precondition((0...1).contains(contendedShare), "contendedShare must be in 0...1") }
    }
    /// The share of dependent transactions in an in-order window below
    /// which the rest of the block returns to Block-STM (default 0.6; below
    /// `contendedShare`, so the two decisions do not flip-flop on one block).
    public var resumeShare = 0.6 {
        didSet { precondition((0...1).contains(resumeShare), "resumeShare must be in 0...1") }
    }
    /// Whether the pace check may yield (default true; off leaves only the
    /// contention window).
    public var paceCheck = true
    /// The Block-STM mode's contention hint (`ParallelExecutor.contentionHint`; on by default).
    public var contentionHint: Bool {
        get { parallel.contentionHint }
        set { parallel.contentionHint = newValue }
    }

    let parallel: ParallelExecutor
    /// The average cost of one transaction run in order (ns), 0 until one
    /// ran. Tests set it to force pace yields.
    var sequentialNanoseconds: Double = 0
    /// The average thread CPU time of one Block-STM execution (ns, sampled
    /// by the workers), 0 until sampled: the pace check's estimate while no
    /// in-order run has been timed.
    var executionNanoseconds: Double = 0
    /// The last block ended in order on dependent transactions.
    private(set) var startInOrder = false

    /// Transactions per probe window (internal: tests shrink the windows so
    /// small blocks switch modes several times).
    var probeWindow = 128
    /// The first minimum in-order run of a block; doubles after every yield.
    var firstMinimumRun = 256
    /// Finished executions per worker per contention window (`BlockMonitor.window`).
    var monitorWindow: UInt32 = BlockMonitor.defaultWindow
    /// Commits before the first pace check (`BlockMonitor.paceWarmup`).
    var paceWarmup: UInt32 = 256

    /// - Parameters:
    ///   - pool: the workers of the Block-STM mode (at most 254); as for
    ///     `ParallelExecutor(pool:node:)`, which the executor creates on it.
    ///   - node: NUMA node for Block-STM's shared structures (nil: no binding).
    public init(pool: WorkerPool, node: NodeID? = nil) throws(ParallelExecutorError) {
        parallel = try ParallelExecutor(pool: pool, node: node)
        startInOrder = false
    }

    /// An adaptive executor on a new plain pool (`WorkerPool(threads:)`) of
    /// `threads` workers, which it owns.
    public convenience init(threads: Int) throws(ParallelExecutorError) {
        guard threads >= 1, threads < ValueArena.maxWorkers else { throw .unsupportedTeamSize(threads) }
        let pool: WorkerPool
        do { pool = try WorkerPool(threads: threads) } catch { throw .pool(error) }
        try self.init(pool: pool)
    }

    public func tryExecute(_ transactions: [any Transaction], on base: any StateView) throws(ExecutorFailure) -> BlockOutput {
        let count = transactions.count
        guard count <= ParallelExecutor.maxTransactions else {
            throw .blockTooLarge(transactions: count, limit: ParallelExecutor.maxTransactions)
        }
        var statistics = ExecutionStatistics()
        var report = AdaptiveReport()
        defer {
            lastStatistics = statistics
            lastReport = report
        }
        guard count > 0 else {
            return BlockOutput(transactions: [], stateDelta: StateDelta(writes: []), stateRoot: base.commitment.root)
        }
        let workers = parallel.pool.count
        let overlay = ProbingOverlay(base: base, reach: Swift.max(4, 2 * workers))
        var outputs: [TransactionOutput] = []
        var position = 0
        var inOrder = workers == 1 || startInOrder
        var minimumRun = firstMinimumRun
        var endedDependent = false

        while position < count {
            if inOrder {
                let start = MonotonicClock.nanoseconds()
                let (end, dependent) = runInOrder(transactions, from: position, minimum: workers == 1 ? count : minimumRun,
                                                  overlay: overlay, into: &outputs)
                noteSequentialCost(nanoseconds: MonotonicClock.nanoseconds() - start, transactions: end - position)
                report.inOrder += end - position
                statistics.executions += end - position
                statistics.inOrder += end - position
                endedDependent = dependent
                position = end
                if position < count {
                    report.switches += 1
                    inOrder = false
                }
                continue
            }
            let suffixCount = count - position
            var monitor = BlockMonitor()
            monitor.enabled = true
            monitor.window = monitorWindow
            monitor.paceWarmup = paceWarmup
            monitor.contendedPerWindow = UInt32((contendedShare * Double(monitorWindow)).rounded(.up))
            monitor.sequentialNanosecondsPerTransaction = paceCheck ? Int64(sequentialNanoseconds > 0 ? sequentialNanoseconds : executionNanoseconds) : 0
            let run = try runBlockSTM(transactions, from: position, base: base, overlay: overlay, monitor: monitor)
            statistics.add(parallel.lastStatistics)
            noteExecutionCost(parallel.lastSample)
            switch run {
            case .complete(let output):
                report.blockSTM += suffixCount
                endedDependent = false
                if position == 0 {
                    startInOrder = false
                    return output
                }
                outputs.append(contentsOf: output.transactions)
                overlay.apply(output.stateDelta, writer: count)
                position = count
            case .yielded(let prefix):
                report.blockSTM += prefix.count
                report.yields += 1
                report.switches += 1
                for (offset, output) in prefix.enumerated() { overlay.record(output, at: position + offset) }
                outputs.append(contentsOf: prefix)
                position += prefix.count
                inOrder = true
                if report.yields > 1 { minimumRun = Swift.min(minimumRun * 2, count) }
            }
        }
        startInOrder = endedDependent
        return overlay.blockOutput(outputs)
    }

    /// Runs `transactions[position...]` with Block-STM, over the overlay
    /// when it is not the whole block. The overlay's copy (the run's base
    /// state) is gone when this returns, so the caller's next change to the
    /// overlay does not copy its dictionary.
    private func runBlockSTM(_ transactions: [any Transaction], from position: Int, base: any StateView,
                             overlay: ProbingOverlay, monitor: BlockMonitor) throws(ExecutorFailure) -> ParallelExecutor.Run {
        if position == 0 { return try parallel.run(transactions, on: base, indexOffset: 0, monitor: monitor) }
        let suffix = Array(transactions[position...])
        let view = OverlayState(overlay: overlay.entries, base: base)
        return try parallel.run(suffix, on: view, indexOffset: UInt32(position), monitor: monitor)
    }

    /// Runs `transactions[position...]` in order over `overlay`, appending
    /// outputs, until the end or until, after at least `minimum`
    /// transactions, a probe window had fewer than `resumeShare` dependent
    /// transactions. Returns where it stopped and whether the last window
    /// was dependent (the block is a chain where it ended).
    private func runInOrder(_ transactions: [any Transaction], from position: Int, minimum: Int,
                            overlay: ProbingOverlay, into outputs: inout [TransactionOutput]) -> (Int, Bool) {
        let context = ExecutionContext(reader: overlay)
        let window = probeWindow
        let threshold = Int((resumeShare * Double(window)).rounded(.up))
        var dependentInWindow = 0
        var inWindow = 0
        var lastWindowDependent = true
        var index = position
        while index < transactions.count {
            overlay.begin(index)
            guard case .finished(let output) = context.run(transactions[index], at: TxnIndex(UInt32(index))) else {
                preconditionFailure("the in-order reader never suspends")
            }
            overlay.record(output, at: index)
            outputs.append(output)
            if overlay.dependent { dependentInWindow += 1 }
            inWindow += 1
            index += 1
            if inWindow == window {
                lastWindowDependent = dependentInWindow >= threshold
                if !lastWindowDependent, index - position >= minimum { break }
                inWindow = 0
                dependentInWindow = 0
            }
        }
        return (index, lastWindowDependent)
    }

    private func noteExecutionCost(_ sample: (nanoseconds: Int64, count: Int)) {
        guard sample.count >= 8 else { return }
        let perExecution = Double(sample.nanoseconds) / Double(sample.count)
        executionNanoseconds = executionNanoseconds == 0 ? perExecution : 0.75 * executionNanoseconds + 0.25 * perExecution
    }

    private func noteSequentialCost(nanoseconds: Int64, transactions: Int) {
        guard transactions >= 128 else { return }
        let perTransaction = Double(nanoseconds) / Double(transactions)
        // An average weighted toward recent runs: the machine's load and the
        // workload's cost drift, and one run of a few hundred is noisy.
        sequentialNanoseconds = sequentialNanoseconds == 0 ? perTransaction : 0.75 * sequentialNanoseconds + 0.25 * perTransaction
    }
}

/// How `AdaptiveExecutor` divided its last block between its modes.
public struct AdaptiveReport: Sendable, Equatable {
    /// Transactions committed by Block-STM.
    public var blockSTM = 0
    /// Transactions run in order on the caller's thread.
    public var inOrder = 0
    /// Times Block-STM yielded the block to in-order execution.
    public var yields = 0
    /// Changes of mode within the block.
    public var switches = 0

    /// All zero.
    public init() {}
}

extension ExecutionStatistics {
    /// Adds another run's counters (the adaptive executor's segments).
    mutating func add(_ other: ExecutionStatistics) {
        executions += other.executions
        validations += other.validations
        suspensions += other.suspensions
        restarts += other.restarts
    }
}

/// The block's writes so far over the base state, with each key's last
/// writer: the in-order mode's reader, and the state a later Block-STM run
/// starts from (`OverlayState`).
final class ProbingOverlay: ContextReader {
    struct Entry {
        /// The last write (nil: deleted).
        var value: StateValue?
        /// Its transaction's index in the block.
        var writer: Int
    }

    let base: any StateView
    /// A read of a key written by one of this many transactions just
    /// before the reader makes the reader dependent.
    let reach: Int
    private(set) var entries: [StateKey: Entry] = [:]
    private var current = 0
    /// Whether the transaction begun last read a recent write.
    private(set) var dependent = false

    init(base: any StateView, reach: Int) {
        self.base = base
        self.reach = reach
    }

    func begin(_ index: Int) {
        current = index
        dependent = false
    }

    /// Puts `output`'s write-set (final values) into the overlay as written by `index`.
    func record(_ output: TransactionOutput, at index: Int) {
        for write in output.writeSet { entries[write.key] = Entry(value: write.value, writer: index) }
    }

    /// Puts a Block-STM run's final writes into the overlay.
    func apply(_ delta: StateDelta, writer: Int) {
        for write in delta.writes { entries[write.key] = Entry(value: write.value, writer: writer) }
    }

    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        if let entry = entries[key] {
            if current - entry.writer <= reach { dependent = true }
            return entry.value
        }
        return base.read(key)
    }

    func checkDelta(_ key: StateKey, _ delta: DeltaOperand, upper: UInt128) throws(ExecutionError) -> Bool {
        delta.apply(to: try readThrough(key)?.uint128Value ?? 0, upper: upper) != nil
    }

    func deltaResult(_ key: StateKey, _ delta: DeltaOperand) -> StateValue? {
        // Not a read: deltas commute, Block-STM never waits for one.
        let below = entries[key].map(\.value) ?? base.read(key)
        return applyOwn(delta, to: below)
    }

    /// The block's output: as `SequentialExecutor` assembles it from its overlay.
    func blockOutput(_ outputs: [TransactionOutput]) -> BlockOutput {
        BlockOutput(transactions: outputs, finalWrites: entries.lazy.map { StateWrite(key: $0.key, value: $0.value.value) }, over: base)
    }
}

/// The base state with the block's writes so far: the base state of a
/// Block-STM run over the rest of a block. Read-only while workers read it
/// (the overlay's dictionary is a copy-on-write value; the adaptive
/// executor changes its own only after the run).
struct OverlayState: StateView {
    let overlay: [StateKey: ProbingOverlay.Entry]
    let base: any StateView

    init(overlay: [StateKey: ProbingOverlay.Entry], base: any StateView) {
        self.overlay = overlay
        self.base = base
    }

    func read(_ key: StateKey) -> StateValue? {
        if let entry = overlay[key] { return entry.value }
        return base.read(key)
    }

    /// Not the commitment of this state: Block-STM's root of a run over it
    /// is not used (the adaptive executor derives the block's root from
    /// the overlay and the base state).
    var commitment: StateCommitment { base.commitment }
}
