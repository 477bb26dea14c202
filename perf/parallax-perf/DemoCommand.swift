import ArgumentParser
import CParallaxCore
import Parallax
import ParallaxConcurrency

/// `parallax-perf demo`: a short, readable tour of what Parallax measures on
/// this machine. The README's first command runs it.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A short tour: this machine's topology and plan, then each workload at 1 and all threads."
    )

    @Option(help: "Transactions per block.") var txns: Int = 2_000
    @Option(help: "Timed blocks per workload and thread count.") var blocks: Int = 3
    @Option(name: .customLong("work-ns"), help: "Busy work per transaction standing in for VM cost.")
    var workNanoseconds: Int = 2_000

    func validate() throws {
        guard txns >= 1, blocks >= 1, workNanoseconds >= 0 else {
            throw ValidationError("--txns and --blocks must be at least 1, --work-ns at least 0")
        }
    }

    func run() throws {
        print("== Machine")
        print("CPU features for SIMD dispatch: \(cpuFeatureNames().joined(separator: " "))")
        print("NUMA: \(NUMA.isAvailable ? "available, highest node \(NUMA.maxNode.rawValue)" : "not available (heap placement)")")
        print()
        print("== Topology and the default plan (parallax-perf topology --run)")
        try TopologyCommand.parse(["--run"]).run()
        print()

        let threads = Swift.max(1, try Topology.thisMachine().pus.count)
        print("== Workloads: parallel (Block-STM) against sequential, same blocks, --work-ns \(workNanoseconds)")
        print("\(blocks) blocks of \(txns) transactions each; speedup = parallel tps / sequential tps")
        let header = ["workload", "threads", "seq tps", "par tps", "speedup", "reexec/txn", "p99 block ms", "roots"]
        var rows: [[String]] = []
        for kind in RunCommand.WorkloadKind.allCases {
            var factory = WorkloadFactory(kind: kind)
            factory.shape.accounts = 10_000
            factory.shape.workNanoseconds = workNanoseconds
            let workload = try factory.make()
            for count in Set([1, threads]).sorted() {
                let result = try SideBySide.measure(workload, threads: count, txns: txns, blocks: blocks, warmup: 1)
                rows.append([
                    workload.name, "\(count)", "\(Int(result.sequentialTPS))", "\(Int(result.parallelTPS))",
                    "\(rounded(result.speedup, 100))x", "\(rounded(result.reexecutionsPerTransaction, 100))",
                    "\(rounded(result.parallelLatencies.milliseconds(atPercentile: 99), 100))",
                    result.rootsMatch ? "match" : "DIFFER",
                ])
            }
        }
        printTable(header, rows)
        print()

        print("== Lock-free MPMC queue (items/s, median of 3, side by side)")
        for (producers, consumers, batch) in [(1, 0, 1), (1, 1, 1), (1, 1, 32)] {
            try QueueCommand.parse([
                "--producers", "\(producers)", "--consumers", "\(consumers)", "--batch", "\(batch)",
                "--items", consumers == 0 ? "5000000" : "2000000", "--repeat", "3",
            ]).run()
        }
        print()
        print("More: parallax-perf run|sweep|pipeline|precheck|queue|pool --help, and README.md.")
    }
}

/// Prints rows under a header, columns padded to their widest cell.
func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in
        ([header] + rows).map { $0[column].count }.max() ?? 0
    }
    for row in [header] + rows {
        print(zip(row, widths).map { $0.padding(toLength: $1) }.joined(separator: "  "))
    }
}

/// Names of the CPU features dispatch may use here.
func cpuFeatureNames() -> [String] {
    let features = px_cpu_features()
    let names: [(px_cpu_feature, String)] = [
        (px_cpu_avx2, "avx2"), (px_cpu_avx512f, "avx512f"), (px_cpu_avx512bw, "avx512bw"),
        (px_cpu_avx512vl, "avx512vl"), (px_cpu_avx512ifma, "avx512ifma"),
        (px_cpu_avx512vbmi2, "avx512vbmi2"), (px_cpu_sha_ni, "sha-ni"), (px_cpu_bmi2, "bmi2"), (px_cpu_adx, "adx"),
    ]
    let present = names.filter { features & $0.0.rawValue != 0 }.map(\.1)
    return present.isEmpty ? ["none"] : present
}
