import CSodium

/// Seeds for the Ed25519 batch verifier's random coefficients, from
/// libsodium's CSPRNG (`randombytes_buf`: thread-safe, reseeded from the
/// kernel), 32 bytes per refill: one batch's seed in one call.
///
/// The stored words matter beyond saving calls. A zero-sized generator such
/// as `SystemRandomNumberGenerator` passed `inout` is given one fixed address
/// in every thread, so ThreadSanitizer reports the workers' concurrent
/// batches as a race on it; this generator lives at its owner's address.
/// Give each thread its own.
struct BatchSeedSource: RandomNumberGenerator {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var used = 4

    init() { Sodium.initialize() }

    mutating func next() -> UInt64 {
        if used == 4 {
            withUnsafeMutableBytes(of: &words) { randombytes_buf($0.baseAddress!, $0.count) }
            used = 0
        }
        defer { used += 1 }
        return withUnsafeBytes(of: words) { $0.load(fromByteOffset: used * 8, as: UInt64.self) }
    }
}
