/// Decodes a block of encoded envelopes and computes their transaction hashes
/// in one Keccak-256 batch: the decode-and-hash half of the precheck stage.
///
/// Each envelope is parsed in place (`TransactionEnvelope.parse`, no copy);
/// the signing prefixes of the valid ones are handed to the batched kernel as
/// one batch of mixed lengths, straight out of the block's buffer. Results come
/// back in block order: the parsed envelope and its hash, or why it is
/// malformed. Scratch arrays are reused across calls, so a warm hasher
/// allocates only when a block is larger than any before.
public struct TransactionHasher {
    /// A well-formed envelope and its transaction hash.
    public struct Hashed: Hashable, Sendable {
        public let envelope: TransactionEnvelope
        public let hash: TransactionHash
    }

    public let limits: EnvelopeLimits
    private var hasher = BatchHasher(.keccak256)
    private var envelopes: [TransactionEnvelope] = []
    private var digests: [Digest32] = []
    /// Signing prefixes of the current block; emptied before `hash` returns,
    /// so no pointer outlives the buffer it points into.
    private var prefixes: [UnsafeRawBufferPointer] = []

    public init(limits: EnvelopeLimits = .default) { self.limits = limits }

    /// Decodes and hashes every envelope of `block`; `results` is replaced by
    /// one entry per envelope, in order.
    public mutating func hash(_ block: PackedMessages, into results: inout [Result<Hashed, EnvelopeError>]) {
        results.removeAll(keepingCapacity: true)
        envelopes.removeAll(keepingCapacity: true)
        block.bytes.withUnsafeBytes { bytes in
            for index in 0..<block.count {
                let range = block.range(of: index)
                let envelopeBytes = UnsafeRawBufferPointer(rebasing: bytes[range])
                do throws(EnvelopeError) {
                    let envelope = try TransactionEnvelope.parse(envelopeBytes, limits: limits)
                    envelopes.append(envelope)
                    prefixes.append(UnsafeRawBufferPointer(rebasing: envelopeBytes[envelope.signedRange]))
                    // A placeholder until the batch below fills in the hash.
                    results.append(.success(Hashed(envelope: envelope, hash: TransactionHash(.zero))))
                } catch {
                    results.append(.failure(error))
                }
            }
            if digests.count != prefixes.count {
                digests.removeAll(keepingCapacity: true)
                digests.append(contentsOf: repeatElement(.zero, count: prefixes.count))
            }
            prefixes.withUnsafeBufferPointer { prefixes in
                digests.withUnsafeMutableBufferPointer { hasher.hash(prefixes, into: $0) }
            }
            prefixes.removeAll(keepingCapacity: true)
        }
        var next = 0
        for index in results.indices {
            guard case .success = results[index] else { continue }
            results[index] = .success(Hashed(envelope: envelopes[next], hash: TransactionHash(digests[next])))
            next += 1
        }
    }
}
