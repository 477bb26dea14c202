import ParallaxConcurrency
import ParallaxExecution
import ParallaxWorkloads
import ParallaxTopology
import XCTest

/// The declared-access subset for `swift test --sanitize=thread`
/// (`--filter DeclaredAccessTSanTests`): pending counters, the ready queue,
/// the value slots and the hint's waits under real concurrency.
final class DeclaredAccessTSanTests: XCTestCase {
    /// Program blocks declaring exactly the keys their ops name, every
    /// fourth one declaring nothing (a barrier).
    func testRandomDeclaredBlocks() throws {
        let shape = ProgramBlockGenerator(universe: 12, hotProbability: 0.4, maxTransactions: 60, failureRate: 0.1)
        let enforcing = SequentialExecutor(enforcingDeclarations: true)
        for threads in [2, 4] {
            // Two (simulated) nodes at 4 threads: per-node queues, routing and stealing.
            let declared = threads == 4
                ? try DeclaredAccessExecutor(pool: try .synthetic(nodes: [NodeID(0), NodeID(1), NodeID(0), NodeID(1)]))
                : try DeclaredAccessExecutor(threads: threads)
            let hybrid = try ParallelExecutor(threads: threads)
            hybrid.declarationHints = true
            for block in 0..<30 {
                let seed = 0xDEC1 &+ UInt64(threads) << 20 &+ UInt64(block)
                var generator = SplitMix64(seed: seed)
                let base = shape.baseState(&generator)
                let transactions: [any Transaction] = shape.block(&generator).enumerated().map { position, transaction in
                    let program = transaction as! ProgramTransaction
                    var access = DeclaredAccess()
                    for op in program.ops {
                        switch op {
                        case .read(let key): access.reads.append(program.keys[key])
                        case .write(let key), .delete(let key): access.writes.append(program.keys[key])
                        default: break
                        }
                    }
                    return DeclaredProgram(program: program, access: position % 4 == 3 ? nil : access)
                }
                let expected = enforcing.execute(transactions, on: base)
                XCTAssertNil(firstDifference(expected, declared.execute(transactions, on: base)), "declared: seed \(seed), \(threads) threads")
                XCTAssertNil(firstDifference(expected, hybrid.execute(transactions, on: base)), "hybrid: seed \(seed), \(threads) threads")
            }
        }
    }

    func testSyntheticFullContention() throws {
        let (block, base) = try fullContentionSyntheticBlock()
        let expected = SequentialExecutor().execute(block, on: base)
        XCTAssertNil(firstDifference(expected, try DeclaredAccessExecutor(threads: 3).execute(block, on: base)))
    }

    /// Every fee to one beneficiary by delta (the built-in workloads'
    /// default): credits run concurrently, full accesses of the beneficiary
    /// scan the recorded credits, the executor resolves them after the block.
    func testFeeCreditBlocks() throws {
        var shape = WorkloadShape()
        shape.accounts = 200
        let workload = try P2PWorkload(shape)
        let declared = try DeclaredAccessExecutor(pool: try .synthetic(nodes: [NodeID(0), NodeID(1), NodeID(0), NodeID(1)]))
        let sequential = SequentialExecutor(enforcingDeclarations: true)
        var state = workload.initialState()
        for number in 0..<6 {
            let block = workload.block(number, transactions: 400)
            let expected = sequential.execute(block, on: state)
            XCTAssertNil(firstDifference(expected, declared.execute(block, on: state)), "block \(number)")
            state.apply(expected.stateDelta)
        }
    }
}
