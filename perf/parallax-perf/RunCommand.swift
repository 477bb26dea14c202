import ArgumentParser
import Parallax
import ParallaxConcurrency
import ParallaxWorkloads
#if canImport(Glibc)
import Glibc
#endif

/// `parallax-perf run`: executes generated blocks with the sequential
/// executor, the parallel executor (Block-STM), the declared-access executor
/// and the hybrid (Block-STM with declaration hints), and prints throughput,
/// work counters and state roots; with `--executor both` (sequential and
/// parallel) or `all` they run side by side on the same blocks (alternating
/// block by block, so machine noise hits them alike) and a final object
/// compares each with the sequential one.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Execute generated blocks: sequential vs parallel (Block-STM), declared-access and hybrid.",
        discussion: """
            Timing covers BlockExecutor.execute (execution, validation, the block's state \
            delta and state root); generating blocks and applying deltas to the in-memory \
            state are outside it. Before the timed blocks, each executor runs --warmup \
            blocks (block numbers after the timed ones) whose results are discarded.
            """
    )

    enum WorkloadKind: String, ExpressibleByArgument, CaseIterable {
        case synthetic, p2p, erc20, amm, nft
        case supplyChain = "supply-chain"
        case mixed
    }

    enum ExecutorChoice: String, ExpressibleByArgument, CaseIterable {
        case parallel, sequential, both, declared, hybrid, adaptive, all

        /// The lanes this choice runs, sequential first.
        var lanes: [String] {
            switch self {
            case .both: ["sequential", "parallel"]
            case .all: ["sequential", "parallel", "declared", "hybrid", "adaptive"]
            default: [rawValue]
            }
        }
    }

    @Option(help: "Workload: \(WorkloadKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var workload: WorkloadKind = .synthetic
    @Option(help: "Transactions per block.") var txns: Int = 10_000
    @Option(help: "Timed blocks.") var blocks: Int = 5
    @Option(help: "Worker threads of the parallel executor (a plain pool, or the pinned pool of --pin/--config).") var threads: Int = 2
    @Option(help: "parallel (Block-STM), sequential, declared (declared-access DAG), hybrid (Block-STM with declaration hints), adaptive (Block-STM or in order, switching inside a block), both (sequential and parallel) or all.")
    var executor: ExecutorChoice = .both
    @Option(help: "Workload seed.") var seed: UInt64 = 1
    @Option(help: "Key universe size.") var keys: Int = 1_000_000
    @Option(name: .customLong("hot-prob"), help: "Probability that a key draw is the hot key.") var hotProbability: Double = 0
    @Option(help: "Keys read per transaction.") var reads: Int = 2
    @Option(help: "Keys read-modify-written per transaction.") var writes: Int = 2
    @Option(name: .customLong("work-ns"), help: "Calibrated busy work per transaction, in nanoseconds.") var workNanoseconds: Int = 0
    @Option(name: .customLong("revert-prob"), help: "Probability that a transaction reverts.") var revertProbability: Double = 0
    @Option(help: "Accounts of the contract workloads.") var accounts: Int = 10_000
    @Option(help: "Zipf exponent of account draws (0: uniform).") var zipf: Double = 0
    @Option(name: .customLong("hot-share"), help: "amm: share of swaps to the hot pool; nft: share of mints in the hot collection.")
    var hotShare: Double = 0
    @Option(help: "amm: number of pools.") var pools: Int = 16
    @Option(help: "mixed: weights, e.g. p2p=3,erc20=3,amm=2,nft=1,supply-chain=1.") var mix: String?
    @Option(help: "Untimed warm-up blocks per executor.") var warmup: Int = 1
    @Flag(name: .customLong("no-hint"), help: "Parallel and hybrid executors without the contention hint (parallel: plain Block-STM).")
    var noHint = false
    @Flag(name: .customLong("no-deltas"), help: "Contract workloads credit fees, transfers and supply by read-modify-write instead of delta writes.")
    var noDeltas = false
    @Flag(name: .customLong("no-fee-beneficiary"), help: "Contract workloads burn fees instead of crediting the block beneficiary.")
    var noFeeBeneficiary = false
    @Option(name: .customLong("deposit-share"), help: "p2p, erc20: share of transfers to the one hot deposit address.")
    var depositShare: Double = 0
    @Flag(help: "Print JSON objects, one per line.") var json = false
    @OptionGroup var placement: PlacementOptions

    func validate() throws {
        guard txns >= 1 else { throw ValidationError("--txns must be at least 1, got \(txns)") }
        guard blocks >= 1 else { throw ValidationError("--blocks must be at least 1, got \(blocks)") }
        guard (1...254).contains(threads) else { throw ValidationError("--threads must be between 1 and 254, got \(threads)") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more, got \(warmup)") }
        _ = try makeWorkload()
    }

    func makeWorkload() throws -> any Workload { try factory.make() }

    /// One executor's run over the blocks.
    final class Lane {
        let name: String
        let executor: any BlockExecutor
        var state: InMemoryState
        var nanoseconds: Int64 = 0
        var cpuNanoseconds: Int64 = 0
        var executions = 0
        var validations = 0
        var suspensions = 0
        var inOrder = 0
        var nodeCounts: [ExecutionStatistics.NodeCounts] = []
        var lastRoot: StateRoot?
        var latencies = BlockLatencies()
        var failed = 0

        init(name: String, executor: any BlockExecutor, state: InMemoryState) {
            self.name = name
            self.executor = executor
            self.state = state
        }

        func warm(_ block: [any Transaction]) { _ = executor.execute(block, on: state) }

        func run(_ block: [any Transaction]) {
            let cpuStart = processCPUNanoseconds()
            let start = MonotonicClock.nanoseconds()
            let output = executor.execute(block, on: state)
            let elapsed = MonotonicClock.nanoseconds() - start
            nanoseconds += elapsed
            latencies.record(nanoseconds: elapsed)
            cpuNanoseconds += processCPUNanoseconds() - cpuStart
            let statistics = executor.lastStatistics
            executions += statistics.executions
            validations += statistics.validations
            suspensions += statistics.suspensions
            inOrder += statistics.inOrder
            for (index, counts) in statistics.nodes.enumerated() {
                if nodeCounts.count <= index { nodeCounts.append(ExecutionStatistics.NodeCounts(node: counts.node)) }
                nodeCounts[index].workers = counts.workers
                nodeCounts[index].executed += counts.executed
                nodeCounts[index].stolen += counts.stolen
            }
            failed += output.transactions.count { $0.status != .success }
            state.apply(output.stateDelta)
            lastRoot = output.stateRoot
        }
    }

    func run() throws {
        let generator = try makeWorkload()
        let initial = generator.initialState()
        let timed = (0..<blocks).map { generator.block($0, transactions: txns) }
        let warmups = (0..<warmup).map { generator.block(blocks + $0, transactions: txns) }

        var lanes: [Lane] = []
        var pool: WorkerPool?
        for name in executor.lanes {
            do {
                let laneExecutor: any BlockExecutor
                switch name {
                case "sequential": laneExecutor = SequentialExecutor()
                case "declared":
                    let (declared, pinnedPool) = try placement.makeDeclaredExecutor(threads: threads)
                    pool = pool ?? pinnedPool
                    laneExecutor = declared
                case "adaptive":
                    let (adaptive, pinnedPool) = try placement.makeAdaptiveExecutor(threads: threads)
                    pool = pool ?? pinnedPool
                    adaptive.contentionHint = !noHint
                    laneExecutor = adaptive
                default:
                    // Parallel and hybrid run where the placement options say.
                    let (parallel, pinnedPool) = try placement.makeExecutor(threads: threads)
                    pool = pool ?? pinnedPool
                    parallel.contentionHint = !noHint
                    parallel.declarationHints = name == "hybrid"
                    laneExecutor = parallel
                }
                lanes.append(Lane(name: name, executor: laneExecutor, state: initial))
            } catch {
                throw ValidationError("\(error)")
            }
        }
        for block in warmups { for lane in lanes { lane.warm(block) } }
        for block in timed { for lane in lanes { lane.run(block) } }

        let total = blocks * txns
        var rates: [String: Double] = [:]
        for lane in lanes {
            let seconds = Double(lane.nanoseconds) * 1e-9
            let tps = Double(total) / seconds
            rates[lane.name] = tps
            let reexecutions = Swift.max(0, lane.executions - total)
            let laneThreads = switch lane.name {
            case "sequential": 1
            default: pool?.count ?? threads
            }
            // Per node of the declared-access executor: where ready transactions ran.
            let nodeJSON = lane.nodeCounts.map { #"{"numa_node":\#($0.node.map { "\($0.rawValue)" } ?? "null"),"workers":\#($0.workers),"executed":\#($0.executed),"stolen":\#($0.stolen)}"# }
            let root = lane.lastRoot.map { "\($0)" } ?? ""
            if json {
                print(#"{"workload":"\#(generator.name)","executor":"\#(lane.name)","threads":\#(laneThreads),"txns":\#(txns),"blocks":\#(blocks),"seconds":\#(rounded(seconds, 1e6)),"cpu_seconds":\#(rounded(Double(lane.cpuNanoseconds) * 1e-9, 1e6)),"tps":\#(Int(tps)),"reexecutions":\#(reexecutions),"reexecutions_per_txn":\#(rounded(Double(reexecutions) / Double(total), 1e4)),"validations":\#(lane.validations),"failed_share":\#(rounded(Double(lane.failed) / Double(total), 1e4)),"validations_per_txn":\#(rounded(Double(lane.validations) / Double(total), 1e4)),\#(lane.latencies.jsonFields),"suspensions":\#(lane.suspensions),"in_order_share":\#(rounded(Double(lane.inOrder) / Double(total), 1e4)),"keys":\#(keys),"hot_prob":\#(hotProbability),"reads":\#(reads),"writes":\#(writes),"work_ns":\#(workNanoseconds),"accounts":\#(accounts),"zipf":\#(zipf),"hot_share":\#(hotShare),"revert_prob":\#(revertProbability),"hint":\#(!noHint),"deltas":\#(!noDeltas),"fee_beneficiary":\#(!noFeeBeneficiary),"deposit_share":\#(depositShare),"seed":\#(seed),\#(nodeJSON.isEmpty ? "" : #""node_counts":[\#(nodeJSON.joined(separator: ","))],"#)"state_root":"\#(root)"}"#)
            } else {
                print("\(lane.name.padding(toLength: 11)) threads \(laneThreads)  \(formatRate(tps)) tx/s  \(rounded(seconds, 1e4)) s (cpu \(rounded(Double(lane.cpuNanoseconds) * 1e-9, 1e4)) s)  reexec/txn \(rounded(Double(reexecutions) / Double(total), 1e4))  validations/txn \(rounded(Double(lane.validations) / Double(total), 1e4))  failed \(rounded(Double(lane.failed) / Double(total), 1e4))  in order \(rounded(Double(lane.inOrder) / Double(total), 1e4))  \(lane.latencies.text)  root \(root)")
                for counts in lane.nodeCounts where lane.nodeCounts.count > 1 || counts.stolen > 0 {
                    print("            \(counts.node.map { "node \($0.rawValue)" } ?? "any node"): \(counts.workers) workers executed \(counts.executed), stole \(counts.stolen) from other nodes")
                }
            }
        }
        if let pool {
            if json {
                print(#"{"pinned_workers":\#(pool.count),"nodes":\#(pool.nodeStatisticsJSON)}"#)
            } else {
                for node in pool.statisticsByNode {
                    let broadcasts = pool.statistics.filter { $0.node == node.node }.reduce(0) { $0 + $1.broadcasts }
                    print("node \(node.node.rawValue): \(node.workers) pinned workers ran \(broadcasts) executor broadcasts, \(node.executed) pool tasks, \(node.stolenLocal + node.stolenRemote) stolen")
                }
            }
        }
        if lanes.count >= 2, let sequentialRate = rates["sequential"] {
            // `speedup` is the first other lane's (parallel for `both`), then one field per lane.
            let others = lanes.dropFirst()
            let speedups = others.map { (name: $0.name, value: rounded(rates[$0.name, default: 0] / sequentialRate)) }
            let match = lanes.allSatisfy { $0.lastRoot == lanes[0].lastRoot }
            if json {
                let fields = speedups.map { #""speedup_\#($0.name)":\#($0.value)"# }.joined(separator: ",")
                print(#"{"workload":"\#(generator.name)","threads":\#(threads),"speedup":\#(speedups[0].value),\#(fields),"state_roots_match":\#(match)}"#)
            } else {
                print(speedups.map { "speedup \($0.name) \($0.value)" }.joined(separator: "  ") + "  state roots match: \(match)")
            }
            if !match { throw ExitCode(2) }
        }
    }
}

/// CPU time of the whole process (every thread), for the CPU-cost figure
/// that machine load does not distort the way it distorts wall time.
func processCPUNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
}
