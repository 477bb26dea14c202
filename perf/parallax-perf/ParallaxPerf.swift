import ArgumentParser

@main
struct ParallaxPerf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallax-perf",
        abstract: "Measure Parallax on this machine: queues, topology, execution.",
        subcommands: [
            DemoCommand.self, QueueCommand.self, TopologyCommand.self, PoolCommand.self,
            RunCommand.self, SweepCommand.self,
            DigestCommand.self, PrecheckCommand.self, VerifyCommand.self, SignatureBenchCommand.self,
            PipelineCommand.self,
        ]
    )
}
