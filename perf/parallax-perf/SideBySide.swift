import ArgumentParser
import Parallax
import ParallaxWorkloads

/// One side-by-side measurement for `sweep`: the sequential executor and
/// one of the others (`executor`: parallel, declared, hybrid or adaptive, named as
/// `run --executor` names them) run the same blocks, alternating block by
/// block (as `run --executor both` does, with its `Lane`), so machine noise
/// hits both. The `parallel…` fields describe that other executor.
struct SideBySide {
    var workloadName: String
    var threads: Int
    var transactions: Int
    var sequentialTPS: Double
    var parallelTPS: Double
    var reexecutionsPerTransaction: Double
    var validationsPerTransaction: Double
    var parallelLatencies: BlockLatencies
    var rootsMatch: Bool

    var speedup: Double { parallelTPS / sequentialTPS }

    static func measure(_ workload: any Workload, threads: Int, txns: Int, blocks: Int, warmup: Int,
                        contentionHint: Bool = true, executor: String = "parallel") throws -> SideBySide {
        let initial = workload.initialState()
        let timed = (0..<blocks).map { workload.block($0, transactions: txns) }
        let warmups = (0..<warmup).map { workload.block(blocks + $0, transactions: txns) }
        let parallelExecutor: any BlockExecutor
        do {
            if executor == "declared" {
                parallelExecutor = try DeclaredAccessExecutor(threads: threads)
            } else if executor == "adaptive" {
                let adaptive = try AdaptiveExecutor(threads: threads)
                adaptive.contentionHint = contentionHint
                parallelExecutor = adaptive
            } else {
                let blockSTM = try ParallelExecutor(threads: threads)
                blockSTM.contentionHint = contentionHint
                blockSTM.declarationHints = executor == "hybrid"
                parallelExecutor = blockSTM
            }
        } catch {
            throw ValidationError("\(error)")
        }
        let sequential = RunCommand.Lane(name: "sequential", executor: SequentialExecutor(), state: initial)
        let parallel = RunCommand.Lane(name: "parallel", executor: parallelExecutor, state: initial)
        for block in warmups { sequential.warm(block); parallel.warm(block) }
        for block in timed { sequential.run(block); parallel.run(block) }
        let total = Double(blocks * txns)
        return SideBySide(
            workloadName: workload.name, threads: threads, transactions: blocks * txns,
            sequentialTPS: total / (Double(sequential.nanoseconds) * 1e-9),
            parallelTPS: total / (Double(parallel.nanoseconds) * 1e-9),
            reexecutionsPerTransaction: Double(Swift.max(0, parallel.executions - blocks * txns)) / total,
            validationsPerTransaction: Double(parallel.validations) / total,
            parallelLatencies: parallel.latencies,
            rootsMatch: sequential.lastRoot == parallel.lastRoot)
    }
}
