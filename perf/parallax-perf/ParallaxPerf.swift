import ArgumentParser

@main
struct ParallaxPerf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallax-perf",
        abstract: "Measure Parallax on this machine: queues, topology, execution.",
        subcommands: [QueueCommand.self, RunCommand.self, SweepCommand.self]
    )
}
