import Logging
import ParallaxConcurrency
import ParallaxExecution
import ParallaxPrecheck
import ParallaxState
#if canImport(Glibc)
import Glibc
#endif

/// `BlockPipeline` for Swift concurrency: `try await submit(block)` suspends
/// (it never blocks a thread of the cooperative pool) while the pipeline is
/// full, committed blocks arrive on `committed`, an `AsyncSequence` in height
/// order, and `try await finish()` waits for the last commit.
///
/// ```swift
/// let pipeline = try AsyncBlockPipeline(store: store, decoder: decoder, chainID: chain)
/// async let report: Void = { for try await block in pipeline.committed { print(block.height) } }()
/// for block in blocks { try await pipeline.submit(block) }
/// try await pipeline.finish()
/// try await report
/// ```
///
/// - Backpressure: `submit` suspends while the inbound queue is full and
///   resumes when the precheck stage takes a block. `committed` holds at most
///   `committedBuffer` blocks the consumer has not taken; beyond that the
///   commit stage waits for the consumer, as with the blocking pipeline's
///   `onCommit`. A consumer that stops iterating (its task cancelled, or the
///   iterator dropped after `cancel`) releases the pipeline: later blocks are
///   still committed, just not delivered.
/// - Cancellation: a `submit` whose task is cancelled while it waits throws
///   `PipelineError.cancelled` and submits nothing; the blocks submitted
///   before it are committed as usual, and `finish` drains them.
/// - Failure: as `BlockPipeline` (`commitFailed`, `executionFailed`): the
///   next `submit` and `finish` throw it, and `committed` ends with it.
///
/// One submitter at a time: `submit` and `finish` may be called from any
/// task, but not concurrently with each other.
public final class AsyncBlockPipeline: Sendable {
    /// Committed blocks in height order; ends after `finish`, or with the
    /// pipeline's failure. Iterate it once.
    public let committed: CommittedBlocks
    /// The blocking pipeline underneath (its statistics, store, configuration).
    public var pipeline: BlockPipeline { inner.pipeline }

    private let inner: Inner

    /// A pipeline with the default precheck (`SignedEnvelopePrecheck`) and a
    /// `ParallelExecutor`, as `BlockPipeline.init(store:decoder:chainID:configuration:logger:onCommit:)`.
    /// - Parameters:
    ///   - store: the store blocks are committed to, at its next heights.
    ///   - decoder: turns each admitted envelope's payload into the transaction it calls.
    ///   - chainID: the chain envelopes must be signed for (nil: any chain).
    ///   - configuration: thread counts, queue capacity and stage pinning.
    ///   - committedBuffer: committed blocks held for a slow consumer
    ///     before the commit stage waits (at least 1).
    ///   - logger: where the start, the finish, each commit and failures are logged.
    public convenience init(store: any StateStore, decoder: any PayloadDecoder, chainID: ChainID? = nil,
                            configuration: PipelineConfiguration = PipelineConfiguration(),
                            committedBuffer: Int = 16,
                            logger: Logger = Logger(label: "parallax.pipeline")) throws(PipelineError)
    {
        let (precheck, executor) = try BlockPipeline.defaultStages(decoder: decoder, chainID: chainID,
                                                                  configuration: configuration)
        try self.init(store: store, precheck: precheck, executor: executor, configuration: configuration,
                      committedBuffer: committedBuffer, logger: logger)
    }

    /// A pipeline with the given precheck and executor, as
    /// `BlockPipeline.init(store:precheck:executor:configuration:logger:onCommit:)`.
    public convenience init(store: any StateStore, precheck: any BlockPrecheck, executor: any BlockExecutor,
                            configuration: PipelineConfiguration = PipelineConfiguration(),
                            committedBuffer: Int = 16,
                            logger: Logger = Logger(label: "parallax.pipeline")) throws(PipelineError)
    {
        let channel = Channel(capacity: committedBuffer)
        let space = SubmitGate()
        let pipeline = try BlockPipeline(store: store, precheck: precheck, executor: executor, configuration: configuration,
                                         logger: logger, onInboundSpace: { space.open() },
                                         onCommit: { channel.deliver($0) })
        self.init(pipeline: pipeline, channel: channel, gate: space)
    }

    private init(pipeline: BlockPipeline, channel: Channel, gate: SubmitGate) {
        inner = Inner(pipeline: pipeline, gate: gate, channel: channel)
        committed = CommittedBlocks(channel: channel)
    }

    /// Hands a block to the pipeline; suspends while the pipeline is full.
    public func submit(_ block: PackedMessages) async throws(PipelineError) {
        while true {
            let ticket = inner.gate.ticket
            if try inner.trySubmit(block) { return }
            let outcome: Bool = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in inner.gate.wait(after: ticket, continuation) }
            } onCancel: {
                inner.gate.cancelWaiters()
            }
            if !outcome || Task.isCancelled { throw .cancelled }
        }
    }

    /// Waits until every submitted block is committed and delivered to
    /// `committed` (or dropped, if its consumer stopped), then stops the
    /// stage threads; `committed` ends. Throws the pipeline's failure, if any.
    /// Consume `committed` concurrently (or `cancel` it): with more than
    /// `committedBuffer` blocks undelivered the commit stage waits for it.
    public func finish() async throws(PipelineError) {
        guard inner.beginFinish() else { throw .finished }
        let pipeline = inner.pipeline
        let channel = inner.channel
        // `BlockPipeline.finish` joins the stage threads: on a thread of its own,
        // not on the cooperative pool.
        let result: Result<Void, PipelineError> = await withCheckedContinuation { continuation in
            StageThread(pu: nil, onPinFailure: { _ in }) {
                do throws(PipelineError) {
                    try pipeline.finish()
                    channel.end(nil)
                    continuation.resume(returning: .success(()))
                } catch {
                    channel.end(error)
                    continuation.resume(returning: .failure(error))
                }
            }.detach()
        }
        try result.get()
    }

    private final class Inner: Sendable {
        let pipeline: BlockPipeline
        let gate: SubmitGate
        let channel: Channel
        /// Whether `finish` has begun: submits after it throw `.finished`
        /// (guarded by `lock`; a pthread lock, see `PosixLock`).
        private let lock = PosixLock()
        nonisolated(unsafe) private var finishing = false

        init(pipeline: BlockPipeline, gate: SubmitGate, channel: Channel) {
            self.pipeline = pipeline
            self.gate = gate
            self.channel = channel
        }

        func trySubmit(_ block: PackedMessages) throws(PipelineError) -> Bool {
            try lock.withLock { () throws(PipelineError) -> Bool in
                if finishing { throw .finished }
                return try pipeline.trySubmit(block)
            }
        }

        func beginFinish() -> Bool {
            lock.withLock {
                defer { finishing = true }
                return !finishing
            }
        }
    }
}

/// Where suspended submitters wait for the precheck stage to take a block.
///
/// Lost wake-ups: a submitter reads `ticket` before it tries the queue; the
/// precheck stage bumps the ticket after each dequeue, under the same lock
/// under which a waiter registers. A waiter whose ticket is stale was passed
/// by a dequeue after its try, so it is resumed at once and tries again.
final class SubmitGate: @unchecked Sendable {
    private struct State {
        var ticket: UInt64 = 0
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let lock = PosixLock()
    /// Guarded by `lock`.
    private var state = State()

    var ticket: UInt64 { lock.withLock { state.ticket } }

    /// Resumes `continuation` with true when the stage takes a block after
    /// `ticket` was read (at once if it already has), false when cancelled.
    func wait(after ticket: UInt64, _ continuation: CheckedContinuation<Bool, Never>) {
        // Under the lock `cancelWaiters` takes: the task's cancelled flag is
        // set before its handler runs, so either this sees it or the handler
        // sees this waiter.
        let immediate: Bool? = lock.withLock {
            if Task.isCancelled { return false }
            if state.ticket != ticket { return true }
            state.waiters.append(continuation)
            return nil
        }
        if let immediate { continuation.resume(returning: immediate) }
    }

    /// The precheck stage took a block: every waiter tries again.
    func open() {
        let waiters = lock.withLock {
            state.ticket &+= 1
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// A waiting submitter's task was cancelled: wake the waiters, which
    /// check their own task's cancellation (the others simply try again).
    func cancelWaiters() {
        let waiters = lock.withLock {
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }
}

/// The committed blocks between the commit stage and the consumer: a
/// bounded buffer (the commit thread waits on a condition while it is full)
/// and at most one suspended consumer.
final class Channel: @unchecked Sendable {
    private struct State {
        var buffer: [CommittedBlock] = []
        var head = 0
        var waiter: CheckedContinuation<Result<CommittedBlock?, PipelineError>, Never>?
        /// nil while open; `.success` after `end(nil)`, `.failure` after a failure.
        var ending: Result<Void, PipelineError>?
        /// The consumer stopped: deliveries are dropped.
        var abandoned = false
        var count: Int { buffer.count - head }
    }

    let capacity: Int
    private let lock = PosixLock()
    /// Guarded by `lock`.
    private var state = State()
    private let space = PosixCondition()

    init(capacity: Int) { self.capacity = Swift.max(1, capacity) }

    /// Called on the commit thread: hands `block` to a waiting consumer, or
    /// buffers it, waiting while the buffer is full.
    func deliver(_ block: CommittedBlock) {
        while true {
            enum Step { case done(CheckedContinuation<Result<CommittedBlock?, PipelineError>, Never>?), full }
            let step: Step = lock.withLock {
                if state.abandoned { return .done(nil) }
                if let waiter = state.waiter {
                    state.waiter = nil
                    return .done(waiter)
                }
                guard state.count < capacity else { return .full }
                state.buffer.append(block)
                return .done(nil)
            }
            switch step {
            case .done(let waiter?):
                waiter.resume(returning: .success(block))
                return
            case .done(nil):
                return
            case .full:
                space.wait(until: { self.lock.withLock { self.state.count < self.capacity || self.state.abandoned } })
            }
        }
    }

    /// No more blocks: the consumer's sequence ends (with `failure`, if any).
    func end(_ failure: PipelineError?) {
        let waiter = lock.withLock {
            state.ending = failure.map { .failure($0) } ?? .success(())
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: failure.map { .failure($0) } ?? .success(nil))
    }

    /// The next block, nil at the end.
    func next() async throws(PipelineError) -> CommittedBlock? {
        let result: Result<CommittedBlock?, PipelineError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: Result<CommittedBlock?, PipelineError>? = lock.withLock {
                    if state.abandoned { return .success(nil) }
                    if state.count > 0 {
                        let block = state.buffer[state.head]
                        state.head += 1
                        if state.head > 64, state.head * 2 > state.buffer.count {
                            state.buffer.removeFirst(state.head)
                            state.head = 0
                        }
                        return .success(block)
                    }
                    switch state.ending {
                    case .success?: return .success(nil)
                    case .failure(let error)?: return .failure(error)
                    case nil:
                        state.waiter = continuation
                        return nil
                    }
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                    space.broadcast()
                }
            }
        } onCancel: {
            abandon()
        }
        return try result.get()
    }

    /// The consumer is gone: drop what is buffered and everything after.
    func abandon() {
        let waiter = lock.withLock {
            state.abandoned = true
            state.buffer.removeAll()
            state.head = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .success(nil))
        space.broadcast()
    }
}

/// The committed blocks of an `AsyncBlockPipeline`, in height order.
public struct CommittedBlocks: AsyncSequence, Sendable {
    public typealias Element = CommittedBlock
    public typealias Failure = PipelineError

    let channel: Channel

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: Channel

        public mutating func next() async throws(PipelineError) -> CommittedBlock? {
            try await channel.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(PipelineError) -> CommittedBlock? {
            try await channel.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: channel) }

    /// Stops delivery: buffered blocks are dropped, the pipeline no longer
    /// waits for this consumer, and iteration ends.
    public func cancel() { channel.abandon() }
}

/// A pthread condition variable for the commit thread to wait on while the
/// consumer's buffer is full (a stage thread, never a task, waits on it).
final class PosixCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Blocks until `ready()` holds. `ready` is evaluated with the
    /// condition's mutex held, and every change that can make it true is
    /// followed by `broadcast()`, which takes the same mutex: no wake-up is lost.
    func wait(until ready: () -> Bool) {
        pthread_mutex_lock(mutex)
        while !ready() { pthread_cond_wait(condition, mutex) }
        pthread_mutex_unlock(mutex)
    }

    func broadcast() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
