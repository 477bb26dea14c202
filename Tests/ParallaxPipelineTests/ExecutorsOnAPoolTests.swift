import Parallax
import ParallaxWorkloads
import Testing

/// The parallel executor on a topology plan's pool gives the oracle's
/// output, with each broadcast running once on every worker, pinned or not.
@Suite(.serialized) struct ExecutorsOnAPoolTests {
    @Test(arguments: [WorkerPool.Pinning.pinned, .unpinned])
    func parallelOnAPoolEqualsSequential(pinning: WorkerPool.Pinning) throws {
        let topology = try Topology.thisMachine()
        let request = PlacementRequest(pools: [PoolRequest(.execute, .workers(topology.pus.count))])
        let pool = try WorkerPool(plan: try PlacementPlan(topology: topology, request: request),
                                  pool: .execute, options: WorkerPool.Options(pinning: pinning))
        #expect(pool.count == topology.pus.count)
        #expect(pool.workerNodes.allSatisfy { $0 != nil })
        let executor = try ParallelExecutor(pool: pool)
        let sequential = SequentialExecutor()
        for seed: UInt64 in [3, 11] {
            var parameters = SyntheticWorkload.Parameters()
            parameters.keys = 64
            parameters.hotProbability = 0.3
            parameters.revertProbability = 0.1
            parameters.seed = seed
            let workload = try SyntheticWorkload(parameters)
            var parallelState = workload.initialState()
            var sequentialState = parallelState
            for number in 0..<3 {
                let block = workload.block(number, transactions: 300)
                let expected = sequential.execute(block, on: sequentialState)
                let actual = executor.execute(block, on: parallelState)
                #expect(actual == expected, "seed \(seed), block \(number)")
                sequentialState.apply(expected.stateDelta)
                parallelState.apply(actual.stateDelta)
            }
        }
        let broadcasts = pool.statistics.map(\.broadcasts)
        #expect(Set(broadcasts).count == 1, "every worker runs every broadcast: \(broadcasts)")
        #expect(broadcasts.first ?? 0 >= 6)
        if pinning == .pinned {
            #expect(pool.verifiedAffinity.allSatisfy { $0?.count == 1 })
        }
    }
}
