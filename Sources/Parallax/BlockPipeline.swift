import Logging
import Metrics
import ParallaxConcurrency
import ParallaxExecution
import ParallaxPrecheck
import ParallaxState
import ParallaxTopology
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Encoded transactions in, committed blocks out: precheck → execute →
/// commit, each stage on its own thread, connected by bounded MPMC queues.
///
/// ```
///  submit ─► [inbound] ─► precheck ─► [prechecked] ─► execute ─► [executed] ─► commit ─► onCommit
///            (queueCapacity)          (queueCapacity)             (queueCapacity)
/// ```
///
/// - Overlap: block N+1 prechecks while block N executes, and block N+1
///   executes while block N commits: the execute stage reads a
///   `PendingOverlay`, the store plus the deltas of executed blocks whose
///   commit has not returned yet, so it never waits for the commit.
/// - Backpressure: a stage that falls behind fills the queue before it, and
///   the stage feeding that queue blocks in `enqueue`, up to `submit`. At most
///   `3 * C + 3` submitted blocks are uncommitted at any moment, where C is
///   `queueCapacity` rounded up to a power of two, at least 2 (the queues' own
///   rounding).
/// - Heights: the blocks get the store's next heights in submission order.
/// - Failure: if the store refuses a commit (which only happens if the store
///   was changed behind the pipeline's back), that block and every later one
///   are not committed; `submit` and `finish` throw `PipelineError.commitFailed`.
///   Likewise if the executor gives up on a block (`ExecutorFailure`: out of
///   memory, an internal invariant): `PipelineError.executionFailed`.
/// - Observability: per-stage durations (`parallax_pipeline_stage_nanoseconds`,
///   dimension `stage`), blocks and transactions (`parallax_pipeline_blocks`,
///   `parallax_pipeline_transactions`, dimension `result` = included, rejected
///   (by precheck or at execution) or reverted) go to swift-metrics; start, stop, per-block commits (debug)
///   and failures go to swift-log. The library prints nothing.
///
/// `submit` and `finish` are meant to be called from one thread. Call
/// `finish`: until then the stage threads run and keep the pipeline alive.
public final class BlockPipeline: @unchecked Sendable {
    /// The configuration the pipeline runs with.
    public let configuration: PipelineConfiguration
    /// The store blocks are committed to.
    public let store: any StateStore
    let precheck: any BlockPrecheck
    let executor: any BlockExecutor
    let logger: Logger
    let onCommit: @Sendable (CommittedBlock) -> Void
    /// Called by the precheck stage after it takes a block off the inbound
    /// queue (`AsyncBlockPipeline` resumes a suspended `submit` there).
    let onInboundSpace: (@Sendable () -> Void)?

    enum Inbound: Sendable {
        case block(PackedMessages)
        case end
    }

    enum Prechecked: Sendable {
        case block([PrecheckOutcome])
        case end
    }

    struct ExecutedBlock: Sendable {
        var height: BlockHeight
        var verified: [AdmittedTransaction]
        var rejected: [Rejection]
        var output: BlockOutput
    }

    enum Executed: Sendable {
        case block(ExecutedBlock)
        case end
    }

    let inbound: MPMCQueue<Inbound>
    let prechecked: MPMCQueue<Prechecked>
    let executed: MPMCQueue<Executed>
    private var threads: [StageThread] = []
    private var isFinished = false

    /// Blocks accepted by `submit` (written by the submitting thread only).
    private let submittedCount = Atomic<Int>(0)
    /// Blocks committed; relaxed, a counter read for statistics.
    private let committedCount = Atomic<Int>(0)
    /// Height of the last committed block. Stored with release by the commit
    /// stage after `store.commit` returns; loaded with acquire by the execute
    /// stage before it prunes its overlay, so the store's new state is
    /// visible to the reads that replace the pruned entries.
    private let committedHeight: Atomic<UInt64>
    private let maxInFlight = Atomic<Int>(0)
    private let includedCount = Atomic<Int>(0)
    private let rejectedCount = Atomic<Int>(0)
    private let precheckNanoseconds = Atomic<Int64>(0)
    private let executeNanoseconds = Atomic<Int64>(0)
    private let commitNanoseconds = Atomic<Int64>(0)
    private let precheckCPUNanoseconds = Atomic<Int64>(0)
    private let executeCPUNanoseconds = Atomic<Int64>(0)
    private let commitCPUNanoseconds = Atomic<Int64>(0)
    private let failure = Mutex<PipelineError?>(nil)

    private let stageTimers: [Metrics.Timer]
    private let blockCounter = Counter(label: "parallax_pipeline_blocks")
    private let includedCounter = Counter(label: "parallax_pipeline_transactions", dimensions: [("result", "included")])
    private let rejectedCounter = Counter(label: "parallax_pipeline_transactions", dimensions: [("result", "rejected")])
    private let revertedCounter = Counter(label: "parallax_pipeline_transactions", dimensions: [("result", "reverted")])

    /// A pipeline over `store` with the given precheck and executor; starts
    /// its three stage threads. `onCommit` is called on the commit thread for
    /// every block, in height order, after the block is committed; while it
    /// runs the commit stage waits (a slow consumer applies backpressure too).
    public convenience init(store: any StateStore, precheck: any BlockPrecheck, executor: any BlockExecutor,
                            configuration: PipelineConfiguration = PipelineConfiguration(),
                            logger: Logger = Logger(label: "parallax.pipeline"),
                            onCommit: @escaping @Sendable (CommittedBlock) -> Void) throws(PipelineError)
    {
        try self.init(store: store, precheck: precheck, executor: executor, configuration: configuration, logger: logger,
                      onInboundSpace: nil, onCommit: onCommit)
    }

    init(store: any StateStore, precheck: any BlockPrecheck, executor: any BlockExecutor,
         configuration: PipelineConfiguration, logger: Logger, onInboundSpace: (@Sendable () -> Void)?,
         onCommit: @escaping @Sendable (CommittedBlock) -> Void) throws(PipelineError)
    {
        self.store = store
        self.precheck = precheck
        self.executor = executor
        self.configuration = configuration
        self.logger = logger
        self.onInboundSpace = onInboundSpace
        self.onCommit = onCommit
        do throws(MPMCQueueError) {
            inbound = try MPMCQueue(capacity: configuration.queueCapacity)
            prechecked = try MPMCQueue(capacity: configuration.queueCapacity)
            executed = try MPMCQueue(capacity: configuration.queueCapacity)
        } catch {
            throw .queueCapacity(error)
        }
        committedHeight = Atomic(store.height.rawValue)
        stageTimers = ["precheck", "execute", "commit"].map {
            Metrics.Timer(label: "parallax_pipeline_stage_nanoseconds", dimensions: [("stage", $0)])
        }
        let logger = logger
        let pinFailure: @Sendable (AffinityError) -> Void = { error in
            logger.warning("pipeline stage runs unpinned", metadata: ["error": "\(error)"])
        }
        threads = [
            StageThread(pu: configuration.stagePUs[.precheck], onPinFailure: pinFailure) { [self] in precheckLoop() },
            StageThread(pu: configuration.stagePUs[.execute], onPinFailure: pinFailure) { [self] in executeLoop() },
            StageThread(pu: configuration.stagePUs[.commit], onPinFailure: pinFailure) { [self] in commitLoop() },
        ]
        logger.info("pipeline started", metadata: [
            "height": "\(store.height.rawValue)", "precheck_threads": "\(configuration.precheckThreads)",
            "execute_threads": "\(configuration.executeThreads)", "queue_capacity": "\(inbound.capacity)",
        ])
    }

    /// A pipeline with the default precheck (`SignedEnvelopePrecheck` with
    /// `decoder`, `configuration.precheckThreads` workers) and a
    /// `ParallelExecutor` of `configuration.executeThreads` workers.
    public convenience init(store: any StateStore, decoder: any PayloadDecoder, chainID: ChainID? = nil,
                            configuration: PipelineConfiguration = PipelineConfiguration(),
                            logger: Logger = Logger(label: "parallax.pipeline"),
                            onCommit: @escaping @Sendable (CommittedBlock) -> Void) throws(PipelineError)
    {
        try self.init(store: store, decoder: decoder, chainID: chainID, configuration: configuration, logger: logger,
                      onInboundSpace: nil, onCommit: onCommit)
    }

    convenience init(store: any StateStore, decoder: any PayloadDecoder, chainID: ChainID?,
                     configuration: PipelineConfiguration, logger: Logger, onInboundSpace: (@Sendable () -> Void)?,
                     onCommit: @escaping @Sendable (CommittedBlock) -> Void) throws(PipelineError)
    {
        let (precheck, executor) = try BlockPipeline.defaultStages(decoder: decoder, chainID: chainID, configuration: configuration)
        try self.init(store: store, precheck: precheck, executor: executor, configuration: configuration, logger: logger,
                      onInboundSpace: onInboundSpace, onCommit: onCommit)
    }

    /// The default precheck (`SignedEnvelopePrecheck`, `precheckThreads`
    /// workers) and executor (`ParallelExecutor`, `executeThreads` workers).
    static func defaultStages(decoder: any PayloadDecoder, chainID: ChainID?, configuration: PipelineConfiguration)
        throws(PipelineError) -> (SignedEnvelopePrecheck, ParallelExecutor)
    {
        let precheck: SignedEnvelopePrecheck
        let executor: ParallelExecutor
        do throws(WorkerPoolError) {
            precheck = try SignedEnvelopePrecheck(decoder: decoder, chainID: chainID, threads: configuration.precheckThreads)
        } catch {
            throw .precheckWorkers(error)
        }
        do throws(ParallelExecutorError) {
            executor = try ParallelExecutor(threads: configuration.executeThreads)
        } catch {
            throw .executeWorkers(error)
        }
        return (precheck, executor)
    }

    /// Hands a block of encoded envelopes to the pipeline; blocks while the
    /// inbound queue is full.
    public func submit(_ block: PackedMessages) throws(PipelineError) {
        guard !isFinished else { throw .finished }
        if let error = failure.withLock({ $0 }) { throw error }
        inbound.enqueue(.block(block))
        countSubmission()
    }

    /// `submit` without waiting: false (and nothing submitted) while the
    /// inbound queue is full.
    func trySubmit(_ block: PackedMessages) throws(PipelineError) -> Bool {
        guard !isFinished else { throw .finished }
        if let error = failure.withLock({ $0 }) { throw error }
        guard inbound.tryEnqueue(.block(block)) else { return false }
        countSubmission()
        return true
    }

    private func countSubmission() {
        let submitted = submittedCount.add(1, ordering: .relaxed).newValue
        let inFlight = submitted - committedCount.load(ordering: .relaxed)
        if inFlight > maxInFlight.load(ordering: .relaxed) { maxInFlight.store(inFlight, ordering: .relaxed) }
    }

    /// The failure that stopped the pipeline, if any.
    var stoppedBy: PipelineError? { failure.withLock { $0 } }

    /// Waits until every submitted block is committed (and reported through
    /// `onCommit`) and stops the stage threads. Throws if a commit failed.
    public func finish() throws(PipelineError) {
        if !isFinished {
            isFinished = true
            inbound.enqueue(.end)
            for thread in threads { thread.join() }
            logger.info("pipeline finished", metadata: ["blocks": "\(committedCount.load(ordering: .relaxed))",
                                                        "height": "\(committedHeight.load(ordering: .relaxed))"])
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Blocks accepted by `submit` so far.
    public var submittedBlocks: Int { submittedCount.load(ordering: .relaxed) }

    /// Counters and per-stage busy time so far.
    public var statistics: PipelineStatistics {
        PipelineStatistics(
            blocks: committedCount.load(ordering: .relaxed), included: includedCount.load(ordering: .relaxed),
            rejected: rejectedCount.load(ordering: .relaxed), maxBlocksInFlight: maxInFlight.load(ordering: .relaxed),
            precheckNanoseconds: precheckNanoseconds.load(ordering: .relaxed),
            executeNanoseconds: executeNanoseconds.load(ordering: .relaxed),
            commitNanoseconds: commitNanoseconds.load(ordering: .relaxed),
            precheckCPUNanoseconds: precheckCPUNanoseconds.load(ordering: .relaxed),
            executeCPUNanoseconds: executeCPUNanoseconds.load(ordering: .relaxed),
            commitCPUNanoseconds: commitCPUNanoseconds.load(ordering: .relaxed))
    }

    /// Runs `blocks` through a new pipeline and returns the committed blocks
    /// in height order: the few-lines entry point.
    public static func run(_ blocks: [PackedMessages], store: any StateStore, decoder: any PayloadDecoder,
                           chainID: ChainID? = nil, configuration: PipelineConfiguration = PipelineConfiguration())
        throws(PipelineError) -> [CommittedBlock]
    {
        let collected = Mutex<[CommittedBlock]>([])
        let pipeline = try BlockPipeline(store: store, decoder: decoder, chainID: chainID, configuration: configuration) { block in
            collected.withLock { $0.append(block) }
        }
        for block in blocks { try pipeline.submit(block) }
        try pipeline.finish()
        return collected.withLock { $0 }
    }

    // MARK: Stages

    private func precheckLoop() {
        while true {
            let next = inbound.dequeue()
            onInboundSpace?()
            guard case .block(let block) = next else {
                prechecked.enqueue(.end)
                return
            }
            let start = MonotonicClock.nanoseconds(), startCPU = threadCPUNanoseconds()
            let results = precheck.precheck(block)
            record(since: start, cpuSince: startCPU, stage: 0, into: precheckNanoseconds, cpu: precheckCPUNanoseconds)
            prechecked.enqueue(.block(results))
        }
    }

    private func executeLoop() {
        let overlay = PendingOverlay(store: store)
        var height = store.height
        while true {
            guard case .block(let results) = prechecked.dequeue() else {
                executed.enqueue(.end)
                return
            }
            if failure.withLock({ $0 }) != nil { continue }
            let start = MonotonicClock.nanoseconds(), startCPU = threadCPUNanoseconds()
            height = height.next
            overlay.prune(committed: BlockHeight(committedHeight.load(ordering: .acquiring)))
            var verified: [AdmittedTransaction] = []
            var rejected: [Rejection] = []
            verified.reserveCapacity(results.count)
            for result in results {
                switch result {
                case .verified(let transaction): verified.append(transaction)
                case .rejected(let rejection): rejected.append(rejection)
                }
            }
            // Every admitted call runs under its envelope's signed fields and nonce rule.
            let output: BlockOutput
            do throws(ExecutorFailure) {
                output = try executor.tryExecute(verified.map { $0.transaction as any Transaction }, on: overlay)
            } catch {
                logger.error("block execution failed; pipeline stopped", metadata: ["height": "\(height.rawValue)", "error": "\(error)"])
                failure.withLock { if $0 == nil { $0 = .executionFailed(error) } }
                continue
            }
            overlay.push(output.stateDelta, height: height)
            #if DEBUG
            overlay._checkInvariants()
            #endif
            record(since: start, cpuSince: startCPU, stage: 1, into: executeNanoseconds, cpu: executeCPUNanoseconds)
            executed.enqueue(.block(ExecutedBlock(height: height, verified: verified, rejected: rejected, output: output)))
        }
    }

    private func commitLoop() {
        while true {
            guard case .block(let block) = executed.dequeue() else { return }
            if failure.withLock({ $0 }) != nil { continue }
            let start = MonotonicClock.nanoseconds(), startCPU = threadCPUNanoseconds()
            do throws(StateStoreError) {
                try store.commit(block.output.stateDelta, height: block.height, expectedRoot: block.output.stateRoot)
            } catch {
                logger.error("commit refused; pipeline stopped", metadata: ["height": "\(block.height.rawValue)", "error": "\(error)"])
                failure.withLock { $0 = .commitFailed(error) }
                continue
            }
            // Pairs with the acquiring load in executeLoop.
            committedHeight.store(block.height.rawValue, ordering: .releasing)
            var included: [IncludedTransaction] = []
            included.reserveCapacity(block.verified.count)
            var rejectedAtExecution: [Rejection] = []
            var reverted = 0
            for (transaction, output) in zip(block.verified, block.output.transactions) {
                if case .rejected(let reason) = output.status {
                    rejectedAtExecution.append(Rejection(position: transaction.position, hash: transaction.hash, reason: .execution(reason)))
                    continue
                }
                if output.status != .success { reverted += 1 }
                included.append(IncludedTransaction(position: transaction.position, hash: transaction.hash, output: output))
            }
            let rejected = rejectedAtExecution.isEmpty ? block.rejected : merged(block.rejected, rejectedAtExecution)
            let committed = CommittedBlock(height: block.height, stateRoot: block.output.stateRoot, included: included,
                                           rejected: rejected, stateDelta: block.output.stateDelta)
            record(since: start, cpuSince: startCPU, stage: 2, into: commitNanoseconds, cpu: commitCPUNanoseconds)
            includedCount.add(included.count, ordering: .relaxed)
            rejectedCount.add(rejected.count, ordering: .relaxed)
            committedCount.add(1, ordering: .relaxed)
            blockCounter.increment()
            includedCounter.increment(by: Int64(included.count))
            rejectedCounter.increment(by: Int64(rejected.count))
            revertedCounter.increment(by: Int64(reverted))
            logger.debug("block committed", metadata: [
                "height": "\(block.height.rawValue)", "root": "\(block.output.stateRoot)",
                "included": "\(included.count)", "rejected": "\(rejected.count)",
            ])
            onCommit(committed)
        }
    }

    /// Two lists of rejections in block order, merged in block order.
    private func merged(_ first: [Rejection], _ second: [Rejection]) -> [Rejection] {
        var result: [Rejection] = []
        result.reserveCapacity(first.count + second.count)
        var i = 0, j = 0
        while i < first.count || j < second.count {
            if j == second.count || (i < first.count && first[i].position < second[j].position) {
                result.append(first[i])
                i += 1
            } else {
                result.append(second[j])
                j += 1
            }
        }
        return result
    }

    private func record(since start: Int64, cpuSince startCPU: Int64, stage: Int, into total: borrowing Atomic<Int64>,
                        cpu: borrowing Atomic<Int64>) {
        let nanoseconds = MonotonicClock.nanoseconds() - start
        total.add(nanoseconds, ordering: .relaxed)
        cpu.add(threadCPUNanoseconds() - startCPU, ordering: .relaxed)
        stageTimers[stage].recordNanoseconds(nanoseconds)
    }
}

/// Counters of a pipeline and the time each stage spent working (not
/// waiting on its queues), summed over blocks.
public struct PipelineStatistics: Equatable, Sendable {
    /// Blocks committed.
    public var blocks: Int
    /// Transactions included (executed), reverted ones among them.
    public var included: Int
    /// Transactions rejected, by precheck or at execution (a nonce that is
    /// not the sender's next one).
    public var rejected: Int
    /// The most submitted-but-uncommitted blocks `submit` observed.
    public var maxBlocksInFlight: Int
    /// Busy time of the precheck stage.
    public var precheckNanoseconds: Int64
    /// Busy time of the execute stage.
    public var executeNanoseconds: Int64
    /// Busy time of the commit stage (the store's commit and building the report).
    public var commitNanoseconds: Int64
    /// CPU time of the precheck stage's thread while busy (its helper
    /// workers' time not included); busy time minus CPU time is time spent
    /// waiting for a core or for I/O.
    public var precheckCPUNanoseconds: Int64
    /// CPU time of the execute stage's thread while busy (the calling worker of the executor).
    public var executeCPUNanoseconds: Int64
    /// CPU time of the commit stage's thread while busy.
    public var commitCPUNanoseconds: Int64

    /// Statistics from their parts.
    public init(blocks: Int, included: Int, rejected: Int, maxBlocksInFlight: Int,
                precheckNanoseconds: Int64, executeNanoseconds: Int64, commitNanoseconds: Int64,
                precheckCPUNanoseconds: Int64 = 0, executeCPUNanoseconds: Int64 = 0, commitCPUNanoseconds: Int64 = 0) {
        self.blocks = blocks
        self.included = included
        self.rejected = rejected
        self.maxBlocksInFlight = maxBlocksInFlight
        self.precheckNanoseconds = precheckNanoseconds
        self.executeNanoseconds = executeNanoseconds
        self.commitNanoseconds = commitNanoseconds
        self.precheckCPUNanoseconds = precheckCPUNanoseconds
        self.executeCPUNanoseconds = executeCPUNanoseconds
        self.commitCPUNanoseconds = commitCPUNanoseconds
    }
}

/// CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID).
func threadCPUNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}
