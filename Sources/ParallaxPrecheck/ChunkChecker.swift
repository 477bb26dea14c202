import ParallaxConcurrency

/// One worker's share of the precheck stage: checks a chunk of consecutive
/// transactions of a block and writes their outcomes in place.
///
/// Per chunk, in three passes over scratch arrays that keep their capacity:
/// 1. decode every envelope in place (`TransactionEnvelope.parse`, no copy);
/// 2. hash the signed prefixes of the well-formed ones in one Keccak-256
///    batch (`BatchHasher`, straight out of the block buffer), apply the
///    `PrecheckRules`, and queue the signatures of the survivors, Ed25519 into
///    an `Ed25519BatchVerifier`, secp256k1 into a list;
/// 3. verify: secp256k1 one by one (libsecp256k1), Ed25519 as one batch
///    whose bisection pins down each bad signature, so a bad one never
///    rejects its neighbours; after a chunk with many bad Ed25519 signatures,
///    one by one instead, until a chunk comes out clean again (a block
///    stuffed with bad signatures would otherwise make every batch bisect).
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
    /// Whether this chunk's Ed25519 signatures are verified one by one: set
    /// when the previous chunk's were bad often enough that bisecting a batch
    /// would cost more (see `singleVerificationBadShare`).
    private var verifySingly = false
    /// Index into `envelopes` of each secp256k1 signature to verify.
    private var secp256k1Entries: [Int] = []
    /// Totals since the last `resetStatistics()`.
    private(set) var statistics = PrecheckStatistics()

    init(rules: PrecheckRules, chunkSize: Int) {
        self.rules = rules
        verifier = Ed25519BatchVerifier(reservingCapacity: chunkSize, messageBytes: chunkSize * Digest32.byteCount)
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

        digests.withUnsafeBytes { digestBytes in
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
                case .ed25519 where verifySingly:
                    ed25519Entries.append(k)
                case .ed25519:
                    let hash = UnsafeRawBufferPointer(rebasing: digestBytes[(k * Digest32.byteCount)..<((k + 1) * Digest32.byteCount)])
                    do throws(SignatureError) {
                        try verifier.append(publicKey: key, signature: UnsafeRawBufferPointer(rebasing: bytes[envelope.signatureRange]),
                                            message: hash)
                    } catch {
                        preconditionFailure("the envelope decoder admitted an Ed25519 key or signature of the wrong length: \(error)")
                    }
                    ed25519Entries.append(k)
                case .secp256k1:
                    secp256k1Entries.append(k)
                }
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
        var badEd25519 = 0
        if verifySingly {
            for k in ed25519Entries {
                let verdict = verifyEd25519(envelopes[k], bytes: block.envelope(positions[k]), hash: digests[k])
                if !verdict.isValid {
                    results[positions[k]] = .failure(.badSignature(.ed25519(verdict)))
                    badEd25519 += 1
                }
            }
            statistics.chunksVerifiedSingly += 1
        } else if verifier.count > 0 {
            let verdicts = verifier.verify(using: &coefficients)
            for (entry, k) in ed25519Entries.enumerated() where !verdicts[entry].isValid {
                results[positions[k]] = .failure(.badSignature(.ed25519(verdicts[entry])))
                badEd25519 += 1
            }
        }
        rejected += badEd25519
        if ed25519Entries.count >= Self.minimumSignaturesToSwitch {
            verifySingly = badEd25519 * Self.singleVerificationBadShare > ed25519Entries.count
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
        verifier.removeAll()
    }

    /// Verification switches to one by one after a chunk in which more than
    /// one Ed25519 signature in this many was bad. Measured on the development
    /// machine (docs/precheck.md): a 64-signature batch holding 10% bad
    /// signatures costs about what 64 single verifications cost, because each
    /// bad one costs a bisection path of ever smaller group checks, each with
    /// its full share of doublings. A chunk at or below that share switches back. Either way
    /// the verdicts are the same (the single and batch verifiers apply one rule).
    static let singleVerificationBadShare = 8
    /// Chunks with fewer Ed25519 signatures say too little to switch on.
    static let minimumSignaturesToSwitch = 8

    private func verifyEd25519(_ envelope: TransactionEnvelope, bytes: UnsafeRawBufferPointer, hash: Digest32)
        -> Ed25519.Verdict
    {
        let key = UnsafeRawBufferPointer(rebasing: bytes[envelope.publicKeyRange])
        let signature = UnsafeRawBufferPointer(rebasing: bytes[envelope.signatureRange])
        return hash.withUnsafeBytes { hash in
            do throws(SignatureError) {
                return try Ed25519.verdict(publicKey: key, signature: signature, message: hash)
            } catch {
                preconditionFailure("the envelope decoder admitted an Ed25519 key or signature of the wrong length: \(error)")
            }
        }
    }

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
