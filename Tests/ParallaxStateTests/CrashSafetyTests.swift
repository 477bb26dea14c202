import Foundation
import ParallaxExecution
import ParallaxState
import ParallaxWorkloads
import XCTest

/// Kills a child process that commits blocks to an LMDB store with SIGKILL at
/// random moments, many times; after each kill the reopened store must equal
/// a sequential replay of exactly the blocks the child committed.
final class CrashSafetyTests: XCTestCase {
    static let accounts = 64
    static let transactionsPerBlock = 40

    func testKilledChildLeavesExactlyTheBlocksItCommitted() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SplitMix64(seed: seed)
        let executable = try locateChild()
        let path = try temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(atPath: path) }

        var shape = WorkloadShape()
        shape.accounts = CrashSafetyTests.accounts
        shape.seed = 7
        let workload = try ERC20Workload(shape)
        var reference = workload.initialState()
        var referenceHeight: UInt64 = 0
        let executor = SequentialExecutor()
        var kills = 0
        var sawProgressAcrossKills = 0

        for round in 0..<25 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [path, "\(CrashSafetyTests.accounts)", "\(CrashSafetyTests.transactionsPerBlock)", "1000000"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            // 5 to 120 ms: sometimes before the first commit, usually among them.
            usleep(UInt32(5_000 + generator.next() % 115_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let reported = text.split(separator: "\n").compactMap { UInt64($0) }
            if process.terminationReason == .uncaughtSignal { kills += 1 }

            // The child's genesis: when a slow start let the kill come before the
            // child created the store, this open creates it, as the child would have.
            let store = try LMDBStateStore(path: path, genesis: workload.initialState())
            let height = store.height.rawValue
            let lastReported = reported.last ?? referenceHeight
            // Committed and reported, or committed and killed before the print.
            XCTAssertTrue(height == lastReported || height == lastReported + 1,
                          "seed \(seed) round \(round): store at \(height), child reported \(lastReported)")
            if height > referenceHeight { sawProgressAcrossKills += 1 }
            while referenceHeight < height {
                referenceHeight += 1
                let block = workload.block(Int(referenceHeight), transactions: CrashSafetyTests.transactionsPerBlock)
                reference.apply(executor.execute(block, on: reference).stateDelta)
            }
            XCTAssertEqual(store.stateRoot, reference.commitment.root, "seed \(seed) round \(round) at height \(height)")
            XCTAssertEqual(try store.allEntries(), reference.entries, "seed \(seed) round \(round) at height \(height)")
        }
        XCTAssertGreaterThan(kills, 20, "seed \(seed): the child should usually die by SIGKILL, not exit")
        XCTAssertGreaterThan(sawProgressAcrossKills, 5, "seed \(seed): the child committed too rarely to test anything")
    }

    /// `parallax-crash-child`, built next to the test bundle by `swift build`.
    func locateChild() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("parallax-crash-child").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        XCTFail("parallax-crash-child not found next to \(CommandLine.arguments[0]); run `swift build` first")
        throw CocoaError(.fileNoSuchFile)
    }
}
