/// What one `PrecheckStage.check` call did: outcome counts and where the
/// workers' time went. Times are summed over the workers (thread time inside
/// chunks, not wall time), so `decodeHashNanoseconds + verifyNanoseconds` can
/// exceed the call's duration when several workers ran.
public struct PrecheckStatistics: Hashable, Sendable {
    public var transactions = 0
    public var verified = 0
    public var rejected = 0
    public var chunks = 0
    /// Ed25519 batch verifications run: one per chunk with Ed25519
    /// signatures, more when chunks were split into smaller groups after
    /// chunks with several bad signatures.
    public var ed25519Batches = 0
    /// Ed25519 signatures verified one at a time, after chunks in which so
    /// many were bad that even small batches would cost more.
    public var ed25519SingleVerifications = 0
    /// Decoding, Keccak-256 hashing and the rule checks.
    public var decodeHashNanoseconds: Int64 = 0
    /// Signature verification (the Ed25519 batches and secp256k1 one by one).
    public var verifyNanoseconds: Int64 = 0

    public init() {}

    /// The totals of two calls (or of two workers).
    public static func + (lhs: PrecheckStatistics, rhs: PrecheckStatistics) -> PrecheckStatistics {
        var sum = lhs
        sum.transactions += rhs.transactions
        sum.verified += rhs.verified
        sum.rejected += rhs.rejected
        sum.chunks += rhs.chunks
        sum.ed25519Batches += rhs.ed25519Batches
        sum.ed25519SingleVerifications += rhs.ed25519SingleVerifications
        sum.decodeHashNanoseconds += rhs.decodeHashNanoseconds
        sum.verifyNanoseconds += rhs.verifyNanoseconds
        return sum
    }
}
