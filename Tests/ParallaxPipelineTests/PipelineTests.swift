import Foundation
import Parallax
import ParallaxWorkloads
import Synchronization
import XCTest

final class PipelineTests: XCTestCase {
    let chain = ChainID(1)

    func run(_ blocks: [[[UInt8]]], _ fixture: SignedERC20, store: any StateStore, configuration: PipelineConfiguration)
        throws -> [CommittedBlock]
    {
        try BlockPipeline.run(blocks.map { PackedMessages(envelopes: $0) }, store: store, decoder: fixture.signer.decoder,
                              chainID: chain, configuration: configuration)
    }

    func testOutputEqualsSequentialDecodeVerifyExecuteCommit() throws {
        let fixture = try SignedERC20(accounts: 40, seed: 11)
        let blocks = (1...6).map { fixture.envelopes($0, transactions: 50) }
        let path = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                               appropriateFor: URL(fileURLWithPath: NSTemporaryDirectory()), create: true).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let stores: [(String, any StateStore, PipelineConfiguration)] = [
            ("memory", InMemoryStateStore(genesis: fixture.workload.initialState()),
             PipelineConfiguration(precheckThreads: 2, executeThreads: 2, queueCapacity: 2)),
            ("lmdb", try LMDBStateStore(path: path, genesis: fixture.workload.initialState(), durable: false),
             PipelineConfiguration(precheckThreads: 1, executeThreads: 1, queueCapacity: 4)),
        ]
        for (name, store, configuration) in stores {
            let committed = try run(blocks, fixture, store: store, configuration: configuration)
            let reference = InMemoryStateStore(genesis: fixture.workload.initialState())
            XCTAssertEqual(committed.count, blocks.count, name)
            for (block, output) in zip(blocks, committed) {
                let (expected, rejected) = try fixture.reference(block, on: reference, chainID: chain)
                XCTAssertEqual(rejected, [], name)
                XCTAssertEqual(output, expected, "\(name) block \(expected.height)")
            }
            XCTAssertEqual(store.height, BlockHeight(UInt64(blocks.count)), name)
            XCTAssertEqual(store.stateRoot, reference.stateRoot, name)
        }
    }

    /// Slow commits keep several executed blocks pending in the execute
    /// stage's overlay; blocks over few accounts rewrite the same keys, so
    /// reads must come from the right pending block.
    func testSlowCommitsWithPendingBlocksMatchTheReference() throws {
        let fixture = try SignedERC20(accounts: 6, seed: 21)
        let blocks = (1...16).map { fixture.envelopes($0, transactions: 12) }
        let store = SlowStore(InMemoryStateStore(genesis: fixture.workload.initialState()))
        let committed = try run(blocks, fixture, store: store,
                                configuration: PipelineConfiguration(executeThreads: 2, queueCapacity: 4))
        let reference = InMemoryStateStore(genesis: fixture.workload.initialState())
        for (block, output) in zip(blocks, committed) {
            let (expected, _) = try fixture.reference(block, on: reference, chainID: chain)
            XCTAssertEqual(output, expected, "block \(expected.height)")
        }
        XCTAssertEqual(committed.count, blocks.count)
        XCTAssertEqual(store.stateRoot, reference.stateRoot)
    }

    func testBadTransactionsAreRejectedWhileTheRestCommit() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SplitMix64(seed: seed)
        let fixture = try SignedERC20(accounts: 30, seed: 5)
        let stranger = Ed25519SigningKey(number: 999_999)
        var kinds: [Int: String] = [:]
        var blocks: [[[UInt8]]] = []
        for number in 1...4 {
            var block = fixture.envelopes(number, transactions: 40)
            // Bad envelopes are added (corrupted copies of good ones, or new
            // ones), so every good one still carries its sender's next nonce.
            var bad: [(Int, String)] = []
            for _ in 0..<8 {
                let position = Int(generator.next() % UInt64(block.count))
                guard !bad.contains(where: { $0.0 == position }) else { continue }
                var bytes = block[position]
                let kind: String
                switch generator.next() % 5 {
                case 0:
                    bytes.removeLast(Int(1 + generator.next() % 20))
                    kind = "malformed"
                case 1:
                    bytes[bytes.count - 1 - Int(generator.next() % 64)] ^= 0x10
                    kind = "signature"
                case 2:
                    // A valid signature over a changed payload's hash is not this one.
                    bytes[bytes.count - 64 - 1] ^= 1
                    kind = "signature"
                case 3:
                    let unsigned = UnsignedTransaction(chainID: ChainID(2), sender: fixture.signer.keys[0].publicKey, nonce: Nonce(0),
                                                       gasLimit: GasLimit(60_000), fee: Fee(1),
                                                       payload: ERC20Payload.encode(.burn(amount: 1), token: 0))
                    bytes = fixture.signer.keys[0].sign(unsigned).encoded()
                    kind = "chain"
                default:
                    let unsigned = UnsignedTransaction(chainID: chain, sender: stranger.publicKey, nonce: Nonce(0),
                                                       gasLimit: GasLimit(60_000), fee: Fee(1),
                                                       payload: ERC20Payload.encode(.burn(amount: 1), token: 0))
                    bytes = stranger.sign(unsigned).encoded()
                    kind = "payload"
                }
                block.insert(bytes, at: position)
                bad = bad.map { ($0.0 >= position ? $0.0 + 1 : $0.0, $0.1) } + [(position, kind)]
            }
            for (position, kind) in bad { kinds[blocks.count * 1000 + position] = kind }
            blocks.append(block)
        }
        let store = InMemoryStateStore(genesis: fixture.workload.initialState())
        let committed = try run(blocks, fixture, store: store,
                                configuration: PipelineConfiguration(precheckThreads: 2, executeThreads: 2, queueCapacity: 2))
        let reference = InMemoryStateStore(genesis: fixture.workload.initialState())
        for (index, (block, output)) in zip(blocks, committed).enumerated() {
            var (expected, referenceRejected) = try fixture.reference(block, on: reference, chainID: chain)
            let expectedRejected = kinds.keys.filter { $0 / 1000 == index }.map { $0 % 1000 }.sorted()
            XCTAssertEqual(referenceRejected, expectedRejected, "seed \(seed) block \(index)")
            XCTAssertEqual(output.rejected.map(\.position), expectedRejected, "seed \(seed) block \(index)")
            for rejection in output.rejected {
                let kind = kinds[index * 1000 + rejection.position]
                switch rejection.reason {
                case .malformed: XCTAssertEqual(kind, "malformed", "seed \(seed): \(rejection.reason)")
                case .invalidSignature(let failure):
                    XCTAssertEqual(kind, "signature", "seed \(seed): \(rejection.reason)")
                    // The fixture signs with Ed25519: the verdict says why the batch verifier refused it.
                    guard case .ed25519(let verdict) = failure, !verdict.isValid else { return XCTFail("seed \(seed): \(failure)") }
                case .wrongChain(let expectedChain, let given):
                    XCTAssertEqual(kind, "chain")
                    XCTAssertEqual(expectedChain, chain)
                    XCTAssertEqual(given, ChainID(2))
                case .undecodablePayload(let reason):
                    XCTAssertEqual(kind, "payload")
                    XCTAssertTrue(reason.contains("no account"), reason)
                case .execution(let reason):
                    XCTFail("seed \(seed): a good envelope rejected at execution: \(reason)")
                case .gasLimitOutOfRange, .feeBelowMinimum:
                    XCTFail("seed \(seed): the default precheck admits every gas limit and fee: \(rejection.reason)")
                }
                if kind != "malformed" { XCTAssertNotNil(rejection.hash, "seed \(seed): a decodable envelope's rejection names its hash") }
            }
            expected.rejected = output.rejected
            XCTAssertEqual(output, expected, "seed \(seed) block \(index)")
            XCTAssertEqual(output.included.count + output.rejected.count, block.count)
        }
        XCTAssertEqual(store.stateRoot, reference.stateRoot, "seed \(seed)")
    }

    func testStalledCommitStageBoundsBlocksInFlight() throws {
        let fixture = try SignedERC20(accounts: 20, seed: 2)
        let store = StallingStore(InMemoryStateStore(genesis: fixture.workload.initialState()))
        let capacity = 2
        let pipeline = try BlockPipeline(store: store, decoder: fixture.signer.decoder, chainID: chain,
                                         configuration: PipelineConfiguration(queueCapacity: capacity)) { _ in }
        let blocks = (1...40).map { PackedMessages(envelopes: fixture.envelopes($0, transactions: 5)) }
        let submitted = DispatchSemaphore(value: 0)
        let submitter = Thread {
            for block in blocks { try! pipeline.submit(block) }
            submitted.signal()
        }
        submitter.start()
        // The stalled commit fills the queues; then submit blocks.
        var previous = -1
        while pipeline.submittedBlocks != previous {
            previous = pipeline.submittedBlocks
            usleep(200_000)
        }
        let bound = 3 * capacity + 3
        XCTAssertLessThanOrEqual(pipeline.submittedBlocks, bound)
        XCTAssertGreaterThanOrEqual(pipeline.submittedBlocks, 3 * capacity, "the queues should have filled")
        XCTAssertEqual(store.height, .genesis)
        store.release()
        submitted.wait()
        try pipeline.finish()
        XCTAssertEqual(store.height, BlockHeight(40))
        let statistics = pipeline.statistics
        XCTAssertEqual(statistics.blocks, 40)
        XCTAssertLessThanOrEqual(statistics.maxBlocksInFlight, bound)
    }

    /// An executor that gives up on a block stops the pipeline with its
    /// failure instead of the process: nothing is committed from that block
    /// on, and `submit`/`finish` say why.
    func testExecutorFailureStopsThePipeline() throws {
        final class GivingUp: BlockExecutor {
            func tryExecute(_ transactions: [any Transaction], on base: any StateView) throws(ExecutorFailure) -> BlockOutput {
                throw .outOfMemory("test")
            }
            var lastStatistics: ExecutionStatistics { ExecutionStatistics() }
        }
        let fixture = try SignedERC20(accounts: 20, seed: 5)
        let store = InMemoryStateStore(genesis: fixture.workload.initialState())
        let precheck = try SignedEnvelopePrecheck(decoder: fixture.signer.decoder, chainID: chain)
        let pipeline = try BlockPipeline(store: store, precheck: precheck, executor: GivingUp()) { _ in }
        var errors: [PipelineError] = []
        for number in 1...3 {
            do { try pipeline.submit(PackedMessages(envelopes: fixture.envelopes(number, transactions: 10))) } catch { errors.append(error) }
        }
        do { try pipeline.finish() } catch { errors.append(error) }
        XCTAssertEqual(errors.last, .executionFailed(.outOfMemory("test")))
        XCTAssertEqual(store.height, BlockHeight(UInt64(0)))
    }

    func testConfigurationFromATopologyFile() throws {
        let path = NSTemporaryDirectory() + "parallax-pipeline-\(getpid()).toml"
        try """
        [placement]
        policy = "compact"
        [pools.precheck]
        workers = 3
        [pools.execute]
        workers = 4
        [pools.commit]
        workers = 1
        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try PipelineConfiguration.load(topologyConfig: path, topology: Topology(synthetic: "pack:1 core:8 pu:1"))
        XCTAssertEqual(configuration.precheckThreads, 3)
        XCTAssertEqual(configuration.executeThreads, 4)
        XCTAssertEqual(Set(configuration.stagePUs.keys), [.precheck, .execute, .commit])
        XCTAssertThrowsError(try PipelineConfiguration.load(topologyConfig: path + ".missing")) { error in
            guard case .configFile(let configError) = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(configError.file, path + ".missing")
            XCTAssertTrue("\(error)".contains(".missing"), "\(error)")
        }
    }
}

/// A store whose commits wait until `release()`: a stalled commit stage.
final class StallingStore: StateStore, @unchecked Sendable {
    let base: InMemoryStateStore
    let gate = NSCondition()
    var open = false

    init(_ base: InMemoryStateStore) { self.base = base }

    func release() {
        gate.lock()
        open = true
        gate.broadcast()
        gate.unlock()
    }

    func read(_ key: StateKey) -> StateValue? { base.read(key) }
    var commitment: StateCommitment { base.commitment }
    var height: BlockHeight { base.height }

    func commit(_ delta: StateDelta, height: BlockHeight, expectedRoot: StateRoot?) throws(StateStoreError) -> StateRoot {
        gate.lock()
        while !open { gate.wait() }
        gate.unlock()
        return try base.commit(delta, height: height, expectedRoot: expectedRoot)
    }
}

/// A store whose commits take 3 ms longer.
final class SlowStore: StateStore, @unchecked Sendable {
    let base: InMemoryStateStore

    init(_ base: InMemoryStateStore) { self.base = base }

    func read(_ key: StateKey) -> StateValue? { base.read(key) }
    var commitment: StateCommitment { base.commitment }
    var height: BlockHeight { base.height }

    func commit(_ delta: StateDelta, height: BlockHeight, expectedRoot: StateRoot?) throws(StateStoreError) -> StateRoot {
        usleep(3_000)
        return try base.commit(delta, height: height, expectedRoot: expectedRoot)
    }
}
