import ArgumentParser
import Parallax
import ParallaxWorkloads
#if canImport(Glibc)
import Glibc
#endif

/// `parallax-perf sweep`: a grid of threads × workload × contention, each
/// cell a side-by-side sequential/parallel measurement (`SideBySide`),
/// written as CSV and JSON Lines, then plotted by `perf/plot_sweep.py`
/// (matplotlib) when python3 and matplotlib are present.
///
/// Contention means the hot share for `amm` and `nft`, the hot-key
/// probability for `synthetic`, and the Zipf exponent of account draws for
/// the others; each row names which (`contention_kind`).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Grid of threads × workload × contention: CSV, JSON Lines and PNG plots.",
        discussion: """
            Writes <out>.csv and <out>.jsonl and, when python3 with matplotlib is installed, \
            <out>-throughput.png (parallel tx/s against threads, one panel per workload) and \
            <out>-speedup.png (speedup against contention, one line per thread count). \
            Progress goes to stderr.
            """
    )

    @Option(help: "Comma-separated thread counts.") var threads: String = "1,2"
    @Option(help: "Comma-separated workloads.") var workloads: String = "p2p,erc20,amm,nft,supply-chain,mixed"
    @Option(name: .customLong("hot-shares"), help: "Contention levels of amm and nft (hot share), and of synthetic without --hot-prob.")
    var hotShares: String = "0,0.5,1"
    @Option(name: .customLong("hot-prob"), help: "Contention levels of synthetic (hot-key probability), e.g. 0,0.05,0.2,0.5,0.8,1 (default: --hot-shares).")
    var hotProbabilities: String?
    @Option(name: .customLong("zipfs"), help: "Contention levels of the other workloads (Zipf exponent).") var zipfs: String = "0,1,1.5"
    @Option(help: "Transactions per block.") var txns: Int = 2_000
    @Option(help: "Timed blocks per cell.") var blocks: Int = 3
    @Option(help: "Untimed warm-up blocks per cell and executor.") var warmup: Int = 1
    @Option(help: "Measurements per cell; the one with the median speedup is reported (noisy machines).") var `repeat`: Int = 1
    @Option(help: "Accounts of the contract workloads.") var accounts: Int = 10_000
    @Option(name: .customLong("work-ns"), help: "Calibrated busy work per transaction, in nanoseconds.") var workNanoseconds: Int = 2_000
    @Option(help: "Workload seed.") var seed: UInt64 = 1
    @Option(help: "Comma-separated executors compared with sequential in every cell: parallel, declared, hybrid, adaptive.")
    var executors: String = "parallel"
    @Option(help: "Output path prefix.") var out: String = "sweep"
    @Option(name: .customLong("plot-script"), help: "The plotting script.") var plotScript: String = "perf/plot_sweep.py"
    @Flag(name: .customLong("no-plot"), help: "Write the data only.") var noPlot = false

    struct Cell {
        var kind: RunCommand.WorkloadKind
        var threads: Int
        var contentionKind: String
        var contention: Double
    }

    func parseList<T>(_ text: String, option: String, _ parse: (String) -> T?) throws -> [T] {
        let items = text.split(separator: ",").map { String($0).trimmingSpaces }
        let values = items.compactMap(parse)
        guard !items.isEmpty, values.count == items.count else { throw ValidationError("--\(option): cannot read '\(text)'") }
        return values
    }

    func cells() throws -> [Cell] {
        let threadCounts = try parseList(threads, option: "threads") { Int($0) }
        guard threadCounts.allSatisfy({ (1...254).contains($0) }) else { throw ValidationError("--threads: each must be between 1 and 254") }
        let kinds: [RunCommand.WorkloadKind]
        do { kinds = try parseList(workloads, option: "workloads") { RunCommand.WorkloadKind(rawValue: $0) } } catch {
            throw ValidationError("--workloads: expected names among \(RunCommand.WorkloadKind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(workloads)'")
        }
        let shares = try parseList(hotShares, option: "hot-shares") { Double($0) }
        let probabilities = try hotProbabilities.map { try parseList($0, option: "hot-prob") { Double($0) } } ?? shares
        guard probabilities.allSatisfy({ (0...1).contains($0) }) else { throw ValidationError("--hot-prob: each must be between 0 and 1") }
        let exponents = try parseList(zipfs, option: "zipfs") { Double($0) }
        var result: [Cell] = []
        for kind in kinds {
            let (name, levels): (String, [Double]) = switch kind {
            case .amm, .nft: ("hot_share", shares)
            case .synthetic: ("hot_prob", probabilities)
            default: ("zipf", exponents)
            }
            for level in levels { for count in threadCounts { result.append(Cell(kind: kind, threads: count, contentionKind: name, contention: level)) } }
        }
        return result
    }

    func run() throws {
        guard txns >= 1, blocks >= 1, warmup >= 0, `repeat` >= 1 else {
            throw ValidationError("--txns, --blocks and --repeat must be at least 1, --warmup 0 or more")
        }
        let grid = try cells()
        let compared = try parseList(executors, option: "executors") { ["parallel", "declared", "hybrid", "adaptive"].contains($0) ? $0 : nil }
        let csv = try OutputFile(path: out + ".csv")
        let jsonl = try OutputFile(path: out + ".jsonl")
        csv.write("workload,threads,contention_kind,contention,txns,blocks,work_ns,accounts,sequential_tps,parallel_tps,speedup,reexecutions_per_txn,validations_per_txn,latency_p50_ms,latency_p99_ms,latency_max_ms,state_roots_match,executor\n")
        var mismatches = 0
        for (position, cell) in grid.enumerated() { for executor in compared {
            var factory = WorkloadFactory(kind: cell.kind)
            factory.shape.accounts = accounts
            factory.shape.workNanoseconds = workNanoseconds
            factory.shape.seed = seed
            switch cell.contentionKind {
            case "hot_share": factory.shape.hotShare = cell.contention
            case "hot_prob": factory.synthetic.hotProbability = cell.contention
            default: factory.shape.zipf = cell.contention
            }
            let workload = try factory.make()
            let runs = try (0..<`repeat`).map { _ in
                try SideBySide.measure(workload, threads: cell.threads, txns: txns, blocks: blocks, warmup: warmup, executor: executor)
            }.sorted { $0.speedup < $1.speedup }
            let result = runs[runs.count / 2]
            if runs.contains(where: { !$0.rootsMatch }) { mismatches += 1 }
            let latencies = result.parallelLatencies
            let p50 = rounded(latencies.milliseconds(atPercentile: 50), 1e4)
            let p99 = rounded(latencies.milliseconds(atPercentile: 99), 1e4)
            let maximum = rounded(latencies.maxMilliseconds, 1e4)
            csv.write("\(result.workloadName),\(cell.threads),\(cell.contentionKind),\(cell.contention),\(txns),\(blocks),\(workNanoseconds),\(accounts),\(Int(result.sequentialTPS)),\(Int(result.parallelTPS)),\(rounded(result.speedup)),\(rounded(result.reexecutionsPerTransaction, 1e4)),\(rounded(result.validationsPerTransaction, 1e4)),\(p50),\(p99),\(maximum),\(result.rootsMatch),\(executor)\n")
            jsonl.write(#"{"workload":"\#(result.workloadName)","threads":\#(cell.threads),"contention_kind":"\#(cell.contentionKind)","contention":\#(cell.contention),"txns":\#(txns),"blocks":\#(blocks),"work_ns":\#(workNanoseconds),"accounts":\#(accounts),"sequential_tps":\#(Int(result.sequentialTPS)),"parallel_tps":\#(Int(result.parallelTPS)),"speedup":\#(rounded(result.speedup)),"reexecutions_per_txn":\#(rounded(result.reexecutionsPerTransaction, 1e4)),"validations_per_txn":\#(rounded(result.validationsPerTransaction, 1e4)),"latency_p50_ms":\#(p50),"latency_p99_ms":\#(p99),"latency_max_ms":\#(maximum),"state_roots_match":\#(result.rootsMatch),"executor":"\#(executor)"}"# + "\n")
            printError("[\(position + 1)/\(grid.count)] \(executor) \(result.workloadName) threads \(cell.threads) \(cell.contentionKind) \(cell.contention): speedup \(rounded(result.speedup)) (\(formatRate(result.parallelTPS)) vs \(formatRate(result.sequentialTPS)) tx/s)\(result.rootsMatch ? "" : "  STATE ROOTS DIFFER")")
        } }
        csv.close()
        jsonl.close()
        printError("wrote \(out).csv and \(out).jsonl")
        if !noPlot { plot() }
        if mismatches > 0 { throw ExitCode(2) }
    }

    /// Renders the PNGs with the first Python that has matplotlib (the one on
    /// PATH, then the system's, which Debian's python3-matplotlib serves), or
    /// says how to get one.
    func plot() {
        let pythons = ["python3", "/usr/bin/python3"].filter { system("command -v \($0) >/dev/null 2>&1") == 0 }
        guard !pythons.isEmpty else {
            printError("no plots: python3 is not installed (apt-get install python3 python3-matplotlib); then run: python3 \(plotScript) \(out).csv")
            return
        }
        guard let python = pythons.first(where: { system("\($0) -c 'import matplotlib' >/dev/null 2>&1") == 0 }) else {
            printError("no plots: matplotlib is missing (pip install matplotlib, or apt-get install python3-matplotlib); then run: python3 \(plotScript) \(out).csv")
            return
        }
        let status = system("\(python) '\(plotScript)' '\(out).csv' >&2")
        if status != 0 { printError("plotting failed (exit status \(status)): \(python) \(plotScript) \(out).csv") }
    }
}

/// A text file written with stdio (the harness keeps Foundation out).
final class OutputFile {
    let handle: UnsafeMutablePointer<FILE>
    let path: String

    init(path: String) throws {
        guard let handle = fopen(path, "w") else { throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))") }
        self.handle = handle
        self.path = path
    }

    func write(_ text: String) {
        fputs(text, handle)
        fflush(handle)
    }

    func close() { fclose(handle) }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
