import Foundation
import ParallaxWorkloads
import XCTest

final class ZipfSamplerTests: XCTestCase {
    /// Seeded draws match the distribution: every rank's count lies within
    /// five binomial standard deviations of its expectation (a bound a
    /// correct sampler breaks with probability below 1e-5 per rank), and the
    /// probabilities follow 1/(r+1)^s.
    func checkDistribution(count: Int, exponent: Double, seed: UInt64) throws {
        let sampler = try ZipfSampler(count: count, exponent: exponent)
        var generator = SplitMix64(seed: seed)
        let draws = 200_000
        var counts = [Int](repeating: 0, count: count)
        for _ in 0..<draws { counts[sampler.sample(&generator)] += 1 }
        var total = 0.0
        for rank in 0..<count {
            let p = sampler.probability(of: rank)
            total += p
            let expected = Double(draws) * p
            let tolerance = 5 * (expected * (1 - p)).squareRoot() + 1
            XCTAssertLessThanOrEqual(abs(Double(counts[rank]) - expected), tolerance,
                                     "seed \(seed) n \(count) s \(exponent) rank \(rank): \(counts[rank]) vs \(expected)")
        }
        XCTAssertEqual(total, 1, accuracy: 1e-9)
        if exponent > 0, count > 1 {
            // p(r) / p(0) = 1 / (r + 1)^s.
            XCTAssertEqual(sampler.probability(of: 1) / sampler.probability(of: 0), 1 / pow(2, exponent), accuracy: 1e-9)
        }
    }

    func testDistributions() throws {
        for (count, exponent, seed) in [(100, 1.0, UInt64(1)), (50, 1.5, 2), (1_000, 0.8, 3), (64, 0, 4), (1, 1.2, 5)] {
            try checkDistribution(count: count, exponent: exponent, seed: seed)
        }
    }

    func testSkewConcentratesOnLowRanks() throws {
        let skewed = try ZipfSampler(count: 10_000, exponent: 1.2)
        var generator = SplitMix64(seed: 9)
        let hits = (0..<100_000).filter { _ in skewed.sample(&generator) < 10 }.count
        let expected = (0..<10).reduce(0.0) { $0 + skewed.probability(of: $1) } * 100_000
        XCTAssertGreaterThan(expected, 50_000, "ten ranks out of 10,000 take most draws at s = 1.2")
        XCTAssertEqual(Double(hits), expected, accuracy: 5 * expected.squareRoot())
    }

    func testRejectsBadParameters() {
        XCTAssertThrowsError(try ZipfSampler(count: 0, exponent: 1)) { XCTAssertEqual(($0 as? WorkloadError)?.parameter, "accounts") }
        XCTAssertThrowsError(try ZipfSampler(count: 10, exponent: -0.5)) { XCTAssertEqual(($0 as? WorkloadError)?.parameter, "zipf") }
        XCTAssertThrowsError(try ZipfSampler(count: 10, exponent: .nan)) { XCTAssertEqual(($0 as? WorkloadError)?.parameter, "zipf") }
    }
}
