import ParallaxConcurrency

/// One worker's share of the precheck stage: checks a chunk of consecutive
/// transactions of a block and writes their outcomes in place.
///
/// Per chunk, in three passes over scratch arrays that keep their capacity:
/// 1. decode every envelope in place (`TransactionEnvelope.parse`, no copy);
/// 2. hash the signed prefixes of the well-formed ones in one Keccak-256
///    batch (`BatchHasher`, straight out of the block buffer), apply the
///    `PrecheckRules`, and list the survivors by signature scheme;
/// 3. verify: secp256k1 one by one (libsecp256k1), Ed25519 as one batch
///    whose bisection pins down each bad signature, so a bad one never
///    rejects its neighbours; after a chunk with several bad Ed25519
///    signatures, in smaller batches sized to hold about one bad signature
///    each, down to single signatures (a block stuffed with bad signatures
///    would otherwise make every batch bisect).
/// A survivor's slot is written `.success` in pass 2 and overwritten with
/// `.badSignature` in pass 3 if its signature fails; every slot of the chunk
/// is written, each by exactly this checker.
///
/// Once the arrays have grown to the chunk size, a chunk allocates nothing
/// per transaction (the C batch verifier takes one scratch block per batch).
/// Invariant between chunks: every scratch array is empty, so no pointer into
/// a block outlives the call that lent it. Owned by one worker at a time.
final class ChunkChecker {
    let rules: PrecheckRules
    private var hasher = BatchHasher(.keccak256)
    private var verifier: Ed25519BatchVerifier
    /// Seeds of the batch coefficients (see `BatchSeedSource` for why not
    /// `SystemRandomNumberGenerator`).
    private var coefficients = BatchSeedSource()
    /// Decoded envelopes of the chunk and the block index of each.
    private var envelopes: [TransactionEnvelope] = []
    private var positions: [Int] = []
    /// Signed prefix of `envelopes[k]`, inside the block buffer.
    private var prefixes: [UnsafeRawBufferPointer] = []
    private var digests: [Digest32] = []
    /// Index into `envelopes` of each Ed25519 signature to verify (in
    /// `verifier`'s order when batched).
    private var ed25519Entries: [Int] = []
    /// Ed25519 signatures per batch for this chunk: the chunk size, smaller
    /// after a chunk with several bad ones (see `groupSize(bad:of:limit:)`).
    private var groupSize: Int
    private let maximumGroupSize: Int
    /// Index into `envelopes` of each secp256k1 signature to verify.
    private var secp256k1Entries: [Int] = []
    /// Totals since the last `resetStatistics()`.
    private(set) var statistics = PrecheckStatistics()

    init(rules: PrecheckRules, chunkSize: Int) {
        self.rules = rules
        verifier = Ed25519BatchVerifier(reservingCapacity: chunkSize, messageBytes: chunkSize * Digest32.byteCount)
        groupSize = chunkSize
        maximumGroupSize = chunkSize
        envelopes.reserveCapacity(chunkSize)
        positions.reserveCapacity(chunkSize)
        prefixes.reserveCapacity(chunkSize)
        digests.reserveCapacity(chunkSize)
        ed25519Entries.reserveCapacity(chunkSize)
        secp256k1Entries.reserveCapacity(chunkSize)
    }

    func resetStatistics() { statistics = PrecheckStatistics() }

    /// Checks transactions `chunk` of `block`, writing `results[i]` for each i in it.
    func check(_ chunk: Range<Int>, of block: BlockView, into results: UnsafeMutableBufferPointer<PrecheckResult>) {
        let started = MonotonicClock.nanoseconds()
        var rejected = 0

        for index in chunk {
            let bytes = block.envelope(index)
            do throws(EnvelopeError) {
                let envelope = try TransactionEnvelope.parse(bytes, limits: rules.envelopeLimits)
                envelopes.append(envelope)
                positions.append(index)
                prefixes.append(UnsafeRawBufferPointer(rebasing: bytes[envelope.signedRange]))
            } catch {
                results[index] = .failure(.malformed(error))
                rejected += 1
            }
        }

        if digests.count != prefixes.count {
            digests.removeAll(keepingCapacity: true)
            digests.append(contentsOf: repeatElement(.zero, count: prefixes.count))
        }
        prefixes.withUnsafeBufferPointer { prefixes in
            digests.withUnsafeMutableBufferPointer { hasher.hash(prefixes, into: $0) }
        }

        for (k, envelope) in envelopes.enumerated() {
            let index = positions[k]
            if let rejection = rules.rejection(of: envelope) {
                results[index] = .failure(rejection)
                rejected += 1
                continue
            }
            let bytes = block.envelope(index)
            let key = UnsafeRawBufferPointer(rebasing: bytes[envelope.publicKeyRange])
            results[index] = .success(VerifiedTransaction(
                hash: TransactionHash(digests[k]), sender: SenderKey(scheme: envelope.scheme, bytes: key),
                envelope: envelope, byteRange: block.range(of: index)))
            switch envelope.scheme {
            case .ed25519:
                ed25519Entries.append(k)
            case .secp256k1:
                secp256k1Entries.append(k)
            }
        }
        let hashed = MonotonicClock.nanoseconds()

        for k in secp256k1Entries {
            let envelope = envelopes[k], index = positions[k]
            if let failure = verifySecp256k1(envelope, bytes: block.envelope(index), hash: digests[k]) {
                results[index] = .failure(.badSignature(failure))
                rejected += 1
            }
        }
        let badEd25519 = verifyEd25519(block, into: results)
        rejected += badEd25519
        if ed25519Entries.count >= Self.minimumSignaturesToAdapt {
            groupSize = Self.groupSize(bad: badEd25519, of: ed25519Entries.count, limit: maximumGroupSize)
        }
        let verified = MonotonicClock.nanoseconds()

        statistics.transactions += chunk.count
        statistics.rejected += rejected
        statistics.verified += chunk.count - rejected
        statistics.chunks += 1
        statistics.decodeHashNanoseconds += hashed - started
        statistics.verifyNanoseconds += verified - hashed

        envelopes.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        prefixes.removeAll(keepingCapacity: true)
        ed25519Entries.removeAll(keepingCapacity: true)
        secp256k1Entries.removeAll(keepingCapacity: true)
    }

    /// Verifies the chunk's Ed25519 signatures in groups of `groupSize`,
    /// writes the failures and returns how many there were.
    private func verifyEd25519(_ block: BlockView, into results: UnsafeMutableBufferPointer<PrecheckResult>) -> Int {
        guard groupSize > 1 else { return verifyEd25519Singly(block, into: results) }
        var bad = 0
        digests.withUnsafeBytes { digestBytes in
            var start = 0
            while start < ed25519Entries.count {
                let group = ed25519Entries[start..<Swift.min(start + groupSize, ed25519Entries.count)]
                for k in group {
                    let envelope = envelopes[k], bytes = block.envelope(positions[k])
                    let hash = UnsafeRawBufferPointer(rebasing: digestBytes[(k * Digest32.byteCount)..<((k + 1) * Digest32.byteCount)])
                    do throws(SignatureError) {
                        try verifier.append(publicKey: UnsafeRawBufferPointer(rebasing: bytes[envelope.publicKeyRange]),
                                            signature: UnsafeRawBufferPointer(rebasing: bytes[envelope.signatureRange]),
                                            message: hash)
                    } catch {
                        preconditionFailure("the envelope decoder admitted an Ed25519 key or signature of the wrong length: \(error)")
                    }
                }
                let verdicts = verifier.verify(using: &coefficients)
                for (entry, k) in zip(0..., group) where !verdicts[entry].isValid {
                    results[positions[k]] = .failure(.badSignature(.ed25519(verdicts[entry])))
                    bad += 1
                }
                verifier.removeAll()
                statistics.ed25519Batches += 1
                start += group.count
            }
        }
        return bad
    }

    /// Verifies every Ed25519 signature of the chunk with the single verifier
    /// (same rule, same verdicts); returns how many failed.
    private func verifyEd25519Singly(_ block: BlockView, into results: UnsafeMutableBufferPointer<PrecheckResult>) -> Int {
        var bad = 0
        for k in ed25519Entries {
            let envelope = envelopes[k], bytes = block.envelope(positions[k])
            let verdict = digests[k].withUnsafeBytes { hash in
                do throws(SignatureError) {
                    return try Ed25519.verdict(publicKey: UnsafeRawBufferPointer(rebasing: bytes[envelope.publicKeyRange]),
                                               signature: UnsafeRawBufferPointer(rebasing: bytes[envelope.signatureRange]),
                                               message: hash)
                } catch {
                    preconditionFailure("the envelope decoder admitted an Ed25519 key or signature of the wrong length: \(error)")
                }
            }
            if !verdict.isValid {
                results[positions[k]] = .failure(.badSignature(.ed25519(verdict)))
                bad += 1
            }
        }
        statistics.ed25519SingleVerifications += ed25519Entries.count
        return bad
    }

    /// The group size for the next chunk after `bad` of `signatures` failed:
    /// the largest power of two (up to `limit`) at which a group holds at
    /// most one bad signature on average, or 1 (single verification)
    /// when that is below `smallestBatch`. Measured on the development machine
    /// (docs/precheck.md), a clean batch of 64 costs about 6 µs per signature,
    /// one with 3% bad 21 µs and one with 7% bad 32 µs, about a single
    /// verification's 33 µs: every bad signature costs a bisection path of
    /// ever smaller group checks, each with its full run of doublings. Smaller
    /// groups keep the path short; a clean chunk restores the full size.
    /// Whatever the size, the verdicts are the same.
    static func groupSize(bad: Int, of signatures: Int, limit: Int) -> Int {
        guard bad > 0 else { return limit }
        var size = 1
        while size * 2 <= limit, size * 2 * bad <= signatures { size *= 2 }
        return size < smallestBatch ? 1 : size
    }

    /// Below this many signatures a batch costs more than single verifications
    /// (a group check's doublings are shared by too few signatures), so the
    /// group size drops straight to one, verified by the single verifier.
    static let smallestBatch = 8
    /// Chunks with fewer Ed25519 signatures say too little to adapt on.
    static let minimumSignaturesToAdapt = 8

    private func verifySecp256k1(_ envelope: TransactionEnvelope, bytes: UnsafeRawBufferPointer, hash: Digest32)
        -> SignatureFailure?
    {
        let key = UnsafeRawBufferPointer(rebasing: bytes[envelope.publicKeyRange])
        let signature = UnsafeRawBufferPointer(rebasing: bytes[envelope.signatureRange])
        return hash.withUnsafeBytes { hash in
            do throws(SignatureError) {
                return try Secp256k1.verify(publicKey: key, signature: signature, messageHash: hash) ? nil : .secp256k1Invalid
            } catch .publicKeyNotOnCurve {
                return .secp256k1KeyNotOnCurve
            } catch {
                preconditionFailure("the envelope decoder admitted a secp256k1 key or signature of the wrong length: \(error)")
            }
        }
    }

    #if DEBUG
    /// Between chunks: no scratch entry (and so no pointer into a block) is left.
    func _checkInvariants() {
        precondition(envelopes.isEmpty && positions.isEmpty && prefixes.isEmpty, "ChunkChecker: decode scratch not cleared")
        precondition(ed25519Entries.isEmpty && secp256k1Entries.isEmpty && verifier.count == 0,
                     "ChunkChecker: verification scratch not cleared")
    }
    #endif
}

/// A block's bytes and message ends, borrowed for one `PrecheckStage.check`
/// call and shared read-only by its workers.
struct BlockView: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    let ends: UnsafeBufferPointer<Int>

    var count: Int { ends.count }

    func range(of index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }

    func envelope(_ index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range(of: index)]) }
}
