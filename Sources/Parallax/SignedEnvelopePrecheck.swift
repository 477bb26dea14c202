import ParallaxExecution
import ParallaxPrecheck
import ParallaxTopology

/// The default precheck: decode and hash every envelope in one Keccak-256
/// batch (`TransactionHasher`), verify the Ed25519 signatures in one batch
/// (`Ed25519BatchVerifier`; secp256k1 ones one by one with `Secp256k1.verify`),
/// check the chain id, then decode the payloads of the valid ones with the
/// application's `PayloadDecoder` and keep each one's signed fields beside
/// its call (`AdmittedTransaction`).
///
/// With `threads > 1` a block is cut into that many contiguous chunks, each
/// checked by its own worker of a plain `WorkerPool` with its own hasher and
/// verifier, and the results are concatenated in block order.
public final class SignedEnvelopePrecheck: BlockPrecheck, @unchecked Sendable {
    /// The application's payload decoder.
    public let decoder: any PayloadDecoder
    /// Envelopes signed for another chain are rejected; nil accepts any.
    public let chainID: ChainID?
    private let workers: [Worker]
    private let pool: WorkerPool?

    /// A precheck with `threads` workers (the precheck pool's size).
    public init(decoder: any PayloadDecoder, chainID: ChainID? = nil, limits: EnvelopeLimits = .default, threads: Int = 1)
        throws(WorkerPoolError)
    {
        self.decoder = decoder
        self.chainID = chainID
        let threads = max(1, threads)
        workers = (0..<threads).map { _ in Worker(limits: limits) }
        pool = threads > 1 ? try WorkerPool(threads: threads, pool: .precheck) : nil
    }

    /// Decodes, hashes and verifies every envelope of `block`; see `BlockPrecheck`.
    public func precheck(_ block: PackedMessages) -> [PrecheckOutcome] {
        guard let pool, block.count >= 2 * workers.count else {
            return workers[0].check(block, from: 0, decoder: decoder, chainID: chainID)
        }
        let chunks = workers.count
        let count = block.count
        let decoder = decoder, chainID = chainID, workers = workers
        do {
            try pool.broadcast { worker in
                let index = worker.index
                let start = count * index / chunks, end = count * (index + 1) / chunks
                var chunk = PackedMessages()
                for position in start..<end { chunk.append(block[position]) }
                workers[index].output = workers[index].check(chunk, from: start, decoder: decoder, chainID: chainID)
            }
        } catch {
            // The pool is this precheck's own and never shut down while it
            // lives; should it refuse anyway, check on this thread.
            return workers[0].check(block, from: 0, decoder: decoder, chainID: chainID)
        }
        var results: [PrecheckOutcome] = []
        results.reserveCapacity(count)
        for worker in workers {
            results.append(contentsOf: worker.output)
            worker.output = []
        }
        return results
    }

    /// One worker's scratch: used by one thread at a time (its team index).
    final class Worker: @unchecked Sendable {
        var hasher: TransactionHasher
        var verifier = Ed25519BatchVerifier(reservingCapacity: 1024, messageBytes: 1024 * 32)
        var hashed: [Result<TransactionHasher.Hashed, EnvelopeError>] = []
        /// Positions (within the chunk) of the envelopes in the verifier, in append order.
        var batched: [Int] = []
        var output: [PrecheckOutcome] = []

        init(limits: EnvelopeLimits) { hasher = TransactionHasher(limits: limits) }

        func check(_ block: PackedMessages, from offset: Int, decoder: any PayloadDecoder, chainID: ChainID?) -> [PrecheckOutcome] {
            hasher.hash(block, into: &hashed)
            verifier.removeAll()
            batched.removeAll(keepingCapacity: true)
            var results: [PrecheckOutcome?] = Array(repeating: nil, count: block.count)
            block.bytes.withUnsafeBytes { bytes in
                for index in 0..<block.count {
                    let position = offset + index
                    let hashedEnvelope: TransactionHasher.Hashed
                    switch hashed[index] {
                    case .failure(let error):
                        results[index] = .rejected(Rejection(position: position, hash: nil, reason: .malformed(error)))
                        continue
                    case .success(let value):
                        hashedEnvelope = value
                    }
                    let envelope = hashedEnvelope.envelope
                    if let chainID, envelope.chainID != chainID {
                        results[index] = .rejected(Rejection(position: position, hash: hashedEnvelope.hash,
                                                             reason: .wrongChain(expected: chainID, given: envelope.chainID)))
                        continue
                    }
                    let raw = UnsafeRawBufferPointer(rebasing: bytes[block.range(of: index)])
                    let key = UnsafeRawBufferPointer(rebasing: raw[envelope.publicKeyRange])
                    let signature = UnsafeRawBufferPointer(rebasing: raw[envelope.signatureRange])
                    switch envelope.scheme {
                    case .ed25519:
                        hashedEnvelope.hash.digest.withUnsafeBytes { digest in
                            // Lengths follow from the scheme tag, so the append cannot fail.
                            try? verifier.append(publicKey: key, signature: signature, message: digest)
                        }
                        batched.append(index)
                    case .secp256k1:
                        var failure: SignatureFailure?
                        do throws(SignatureError) {
                            let valid = try hashedEnvelope.hash.digest.withUnsafeBytes { (digest) throws(SignatureError) in
                                try Secp256k1.verify(publicKey: key, signature: signature, messageHash: digest)
                            }
                            if !valid { failure = .secp256k1Invalid }
                        } catch .publicKeyNotOnCurve {
                            failure = .secp256k1KeyNotOnCurve
                        } catch {
                            // Lengths follow from the scheme tag; any other error is a signature that does not verify.
                            failure = .secp256k1Invalid
                        }
                        results[index] = if let failure {
                            .rejected(Rejection(position: position, hash: hashedEnvelope.hash, reason: .invalidSignature(failure)))
                        } else {
                            decode(raw, hashedEnvelope, position: position, decoder: decoder)
                        }
                    }
                }
                let verdicts = verifier.verify()
                for (slot, index) in batched.enumerated() {
                    guard case .success(let hashedEnvelope) = hashed[index] else { continue }
                    let verdict = verdicts[slot]
                    let raw = UnsafeRawBufferPointer(rebasing: bytes[block.range(of: index)])
                    results[index] = verdict.isValid
                        ? decode(raw, hashedEnvelope, position: offset + index, decoder: decoder)
                        : .rejected(Rejection(position: offset + index, hash: hashedEnvelope.hash,
                                              reason: .invalidSignature(.ed25519(verdict))))
                }
            }
            return results.map { $0! }
        }

        func decode(_ raw: UnsafeRawBufferPointer, _ hashed: TransactionHasher.Hashed, position: Int, decoder: any PayloadDecoder)
            -> PrecheckOutcome
        {
            let envelope = hashed.envelope
            do {
                let sender = try PublicKey(scheme: envelope.scheme, bytes: raw[envelope.publicKeyRange])
                let call = try decoder.decode(payload: UnsafeRawBufferPointer(rebasing: raw[envelope.payloadRange]),
                                              sender: sender, envelope: envelope)
                return .verified(AdmittedTransaction(position: position, hash: hashed.hash,
                                                     signed: SignedFields(envelope, sender: SenderKey(sender)), call: call))
            } catch {
                return .rejected(Rejection(position: position, hash: hashed.hash, reason: .undecodablePayload(reason: "\(error)")))
            }
        }
    }
}
