import Parallax
import ParallaxWorkloads
import Synchronization
import Testing

/// The async face of the pipeline: the same committed blocks as the blocking
/// one, delivered in height order on an `AsyncSequence`, a `submit` that
/// suspends while the pipeline is full, and cancellation that loses nothing
/// already submitted.
@Suite struct AsyncPipelineTests {
    let chain = ChainID(1)

    @Test func committedBlocksEqualTheBlockingPipelines() async throws {
        let fixture = try SignedERC20(accounts: 24, seed: 5)
        let blocks = (1...12).map { PackedMessages(envelopes: fixture.envelopes($0, transactions: 30)) }
        let expected = try BlockPipeline.run(blocks, store: InMemoryStateStore(genesis: fixture.workload.initialState()),
                                             decoder: fixture.signer.decoder, chainID: chain,
                                             configuration: PipelineConfiguration(precheckThreads: 1, executeThreads: 2))
        let store = InMemoryStateStore(genesis: fixture.workload.initialState())
        // Queues of one block and a buffer of two: submit must suspend, and the
        // commit stage must wait for the consumer, for the run to finish at all.
        let pipeline = try AsyncBlockPipeline(store: store, decoder: fixture.signer.decoder, chainID: chain,
                                              configuration: PipelineConfiguration(precheckThreads: 1, executeThreads: 2,
                                                                                   queueCapacity: 1),
                                              committedBuffer: 2)
        // Results, not typed-throwing closures: Swift 6.3.1 crashes converting those.
        let consumer = Task { () async -> Result<[CommittedBlock], PipelineError> in
            var received: [CommittedBlock] = []
            do throws(PipelineError) {
                for try await block in pipeline.committed { received.append(block) }
            } catch {
                return .failure(error)
            }
            return .success(received)
        }
        for block in blocks { try await pipeline.submit(block) }
        try await pipeline.finish()
        let received = try await consumer.value.get()
        #expect(received == expected)
        #expect(received.map(\.height.rawValue) == Array(1...UInt64(blocks.count)))
        #expect(store.stateRoot == received.last?.stateRoot)
        #expect(pipeline.pipeline.statistics.blocks == blocks.count)
    }

    @Test func submitAfterFinishThrowsAndTheSequenceEnds() async throws {
        let fixture = try SignedERC20(accounts: 8, seed: 6)
        let pipeline = try AsyncBlockPipeline(store: InMemoryStateStore(genesis: fixture.workload.initialState()),
                                              decoder: fixture.signer.decoder, chainID: chain)
        try await pipeline.submit(PackedMessages(envelopes: fixture.envelopes(1, transactions: 5)))
        try await pipeline.finish()
        var heights: [UInt64] = []
        for try await block in pipeline.committed { heights.append(block.height.rawValue) }
        #expect(heights == [1])
        do {
            try await pipeline.submit(PackedMessages(envelopes: fixture.envelopes(2, transactions: 5)))
            Issue.record("submit after finish was accepted")
        } catch {
            #expect(error == .finished)
        }
        do {
            try await pipeline.finish()
            Issue.record("a second finish succeeded")
        } catch {
            #expect(error == .finished)
        }
    }

    /// A submit suspended behind a stalled commit is cancelled: it throws
    /// `.cancelled` and submits nothing; every block submitted before it is
    /// committed once the store moves again, and `finish` drains them.
    @Test func cancellingASuspendedSubmitLosesNothingSubmitted() async throws {
        let fixture = try SignedERC20(accounts: 16, seed: 7)
        let blocks = (1...12).map { PackedMessages(envelopes: fixture.envelopes($0, transactions: 10)) }
        let store = StallingStore(InMemoryStateStore(genesis: fixture.workload.initialState()))
        let pipeline = try AsyncBlockPipeline(store: store, decoder: fixture.signer.decoder, chainID: chain,
                                              configuration: PipelineConfiguration(executeThreads: 1, queueCapacity: 1),
                                              committedBuffer: 64)
        let accepted = Mutex(0)
        let submitter = Task { () async -> PipelineError? in
            for block in blocks {
                do throws(PipelineError) {
                    try await pipeline.submit(block)
                } catch {
                    return error
                }
                accepted.withLock { $0 += 1 }
            }
            return nil
        }
        // With the store stalled at most 3 * 2 + 3 blocks fit (queues of
        // capacity 1 hold 2); wait until the submitter is stuck behind them,
        // then cancel it.
        while accepted.withLock({ $0 }) < 6 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))
        submitter.cancel()
        #expect(await submitter.value == .cancelled)
        let submitted = accepted.withLock { $0 }
        #expect(submitted < blocks.count, "the stalled pipeline took every block")
        store.release()
        try await pipeline.finish()
        var heights: [UInt64] = []
        for try await block in pipeline.committed { heights.append(block.height.rawValue) }
        #expect(heights == Array(1...UInt64(submitted)))
        #expect(store.height.rawValue == UInt64(submitted))
        // Each queue of capacity 1 holds 2 (capacities round up to a power of two, at least 2).
        #expect(pipeline.pipeline.statistics.maxBlocksInFlight <= 3 * 2 + 3)
    }

    /// A consumer that stops listening does not stall the pipeline.
    @Test func aCancelledConsumerReleasesThePipeline() async throws {
        let fixture = try SignedERC20(accounts: 8, seed: 8)
        let store = InMemoryStateStore(genesis: fixture.workload.initialState())
        let pipeline = try AsyncBlockPipeline(store: store, decoder: fixture.signer.decoder, chainID: chain,
                                              committedBuffer: 1)
        pipeline.committed.cancel()
        for number in 1...6 { try await pipeline.submit(PackedMessages(envelopes: fixture.envelopes(number, transactions: 5))) }
        try await pipeline.finish()
        #expect(store.height.rawValue == 6)
        var delivered = 0
        for try await _ in pipeline.committed { delivered += 1 }
        #expect(delivered == 0)
    }
}
