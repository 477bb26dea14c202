// The command line of `parallax-evm`: the EVM tool (state tests now; block
// replay and benchmarks later), like revm's `revme`.

import ArgumentParser
import Foundation
import ParallaxEthereum
import ParallaxExecution

struct ParallaxEVMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parallax-evm",
        abstract: "The Parallax EVM tool.",
        subcommands: [StateTestCommand.self, BenchERC20Command.self, PrecompileCommand.self, ReplayCommand.self, BenchCommand.self, StateRootCommand.self]
    )
}

/// Which engine executes the vectors.
enum ExecutorChoice: String, ExpressibleByArgument, CaseIterable {
    /// `EVM.transact` straight over an in-memory world (no Parallax keys).
    case direct
    /// `EVMTransaction` on Parallax keys through the sequential executor (the oracle).
    case sequential
    /// The same through the parallel executor (Block-STM, two threads).
    case parallel

    func make() throws -> any VectorExecutor {
        switch self {
        case .direct: SequentialVectorExecutor()
        case .sequential: EngineVectorExecutor(executor: SequentialExecutor())
        case .parallel: EngineVectorExecutor(executor: try ParallelExecutor(threads: 2))
        }
    }
}

struct StateTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statetest",
        abstract: "Run ethereum/tests state tests (files, or folders searched for .json files).",
        discussion: """
            Exit status: 0 when every vector passed, 1 when one failed, 2 when an input \
            could not be read (the error names the file). The last line of the output is \
            "N passed, M failed" (", K skipped" when vectors were skipped).
            """
    )

    @Option(help: "The fork whose post entries to run, as the state tests name it (Cancun, Shanghai, Merge, London, Berlin, ..., EIP158, EIP150, Homestead, Frontier).")
    var fork = "Cancun"

    @Option(help: "The engine executing the vectors: direct (the EVM alone), sequential or parallel (the Parallax executors).")
    var executor = ExecutorChoice.sequential

    @Flag(help: "One JSON object per vector, then a summary object.")
    var json = false

    @Flag(help: "With --json: add the post-state (\"post_state\", the t8n alloc shape) to the line of each failing vector.")
    var dumpPost = false

    @Option(help: "Run only the tests whose file path or name contains this.")
    var filter: String?

    @Argument(help: "State-test files or folders.")
    var paths: [String]

    func validate() throws {
        guard Fork(stateTestName: fork) != nil else {
            throw ValidationError("unknown fork \"\(fork)\"; use a state-test fork name: "
                + Fork.allCases.map(\.stateTestName).joined(separator: ", "))
        }
    }

    func run() throws {
        guard let fork = Fork(stateTestName: fork) else { throw ExitCode.validationFailure }
        let start = ContinuousClock.now
        let writer = ReportWriter(json: json)
        let runner = StateTestRunner(fork: fork, executor: try executor.make(), filter: filter, dumpPost: dumpPost, output: writer)
        let (files, missing) = StateTestRunner.files(under: paths)
        for path in missing { runner.reportUnreadable(path, "no such file or folder") }
        for file in files { runner.run(file: file) }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        writer.summary(
            passed: runner.passed, failed: runner.failed, skipped: runner.skipped,
            seconds: seconds, skipReasons: runner.skipReasons
        )
        if runner.exitStatus != 0 { throw ExitCode(runner.exitStatus) }
    }
}
