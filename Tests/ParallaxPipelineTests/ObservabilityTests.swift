import InMemoryLogging
import Logging
import Metrics
import MetricsTestKit
import Parallax
import XCTest

/// The one metrics backend of this test process (bootstrap is once per process).
let testMetrics: TestMetrics = {
    let metrics = TestMetrics()
    MetricsSystem.bootstrap(metrics)
    return metrics
}()

final class ObservabilityTests: XCTestCase {
    func testStageTimingsCountersAndLifecycleEvents() throws {
        let metrics = testMetrics
        metrics.reset()
        let fixture = try SignedERC20(accounts: 20, seed: 9)
        var blocks = (1...3).map { fixture.envelopes($0, transactions: 10) }
        blocks[1].insert(Array(blocks[1][4].dropLast()), at: 4)  // one malformed envelope
        blocks[2].append(blocks[0][3])                            // one replay
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "test.pipeline", factory: { _ in handler })
        logger.logLevel = .debug
        let pipeline = try BlockPipeline(store: InMemoryStateStore(genesis: fixture.workload.initialState()),
                                         decoder: fixture.signer.decoder, logger: logger) { _ in }
        for block in blocks { try pipeline.submit(PackedMessages(envelopes: block)) }
        try pipeline.finish()

        for stage in ["precheck", "execute", "commit"] {
            let timer = try metrics.expectTimer("parallax_pipeline_stage_nanoseconds", [("stage", stage)])
            XCTAssertEqual(timer.values.count, 3, stage)
            XCTAssertTrue(timer.values.allSatisfy { $0 > 0 }, stage)
        }
        XCTAssertEqual(try metrics.expectCounter("parallax_pipeline_blocks").totalValue, 3)
        XCTAssertEqual(try metrics.expectCounter("parallax_pipeline_transactions", [("result", "rejected")]).totalValue, 2)
        XCTAssertEqual(try metrics.expectCounter("parallax_pipeline_transactions", [("result", "included")]).totalValue, 30)
        let statistics = pipeline.statistics
        XCTAssertEqual(statistics.included, 30)
        XCTAssertEqual(statistics.rejected, 2, "the malformed envelope and the replay")

        let messages = handler.entries.map { "\($0.message)" }
        XCTAssertEqual(messages.first, "pipeline started")
        XCTAssertEqual(messages.last, "pipeline finished")
        XCTAssertEqual(messages.filter { $0 == "block committed" }.count, 3)
    }
}
