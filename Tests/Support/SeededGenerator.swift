#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): the seeded generator of every
/// randomized test, so that a failure prints its seed and can be replayed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// Seeded from PX_TEST_SEED when set (to replay a failure), else at random.
    public static func fromEnvironment() -> SeededGenerator {
        if let value = getenv("PX_TEST_SEED"), let seed = UInt64(String(cString: value)) {
            return SeededGenerator(seed: seed)
        }
        return SeededGenerator(seed: UInt64.random(in: 0...UInt64.max))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        for index in result.indices { result[index] = UInt8(truncatingIfNeeded: next()) }
        return result
    }
}
