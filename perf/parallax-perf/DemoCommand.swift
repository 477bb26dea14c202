import ArgumentParser
import CParallax
import Parallax

/// `parallax-perf demo`: a short, readable tour of what Parallax measures on
/// this machine. The README's first command runs it.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A short tour: this machine, then each subsystem's headline figure."
    )

    func run() throws {
        print("== Machine")
        print("CPU features for SIMD dispatch: \(cpuFeatureNames().joined(separator: " "))")
        print("NUMA: \(NUMA.isAvailable ? "available, highest node \(NUMA.maxNode.rawValue)" : "not available (heap placement)")")
        print()
        print("== Lock-free MPMC queue (items/s, median of 3, side by side)")
        for (producers, consumers, batch) in [(1, 0, 1), (1, 1, 1), (1, 1, 32)] {
            var command = QueueCommand()
            command.producers = producers
            command.consumers = consumers
            command.batch = batch
            command.items = consumers == 0 ? 5_000_000 : 2_000_000
            command.repeat = 3
            try command.run()
        }
    }
}

/// Names of the CPU features dispatch may use here.
func cpuFeatureNames() -> [String] {
    let features = px_cpu_features()
    let names: [(px_cpu_feature, String)] = [
        (px_cpu_avx2, "avx2"), (px_cpu_avx512f, "avx512f"), (px_cpu_avx512bw, "avx512bw"),
        (px_cpu_avx512vl, "avx512vl"), (px_cpu_avx512ifma, "avx512ifma"),
        (px_cpu_avx512vbmi2, "avx512vbmi2"), (px_cpu_sha_ni, "sha-ni"), (px_cpu_bmi2, "bmi2"),
    ]
    let present = names.filter { features & $0.0.rawValue != 0 }.map(\.1)
    return present.isEmpty ? ["none"] : present
}
