import ParallaxExecution
import ParallaxPrecheck
import ParallaxTopology
import Synchronization

/// The default precheck: the precheck stage (`PrecheckStage`: decode, one
/// Keccak-256 batch per chunk, the stateless `PrecheckRules`, Ed25519
/// signatures batched with bisection to the bad ones, secp256k1 one by one,
/// chunks spread over the precheck pool), then the application's
/// `PayloadDecoder` on each admitted envelope's payload, keeping its signed
/// fields beside its call (`AdmittedTransaction`). One path for the pipeline
/// and for `parallax-perf precheck`.
public final class SignedEnvelopePrecheck: BlockPrecheck, @unchecked Sendable {
    /// The application's payload decoder.
    public let decoder: any PayloadDecoder
    /// The stage that decodes, hashes and verifies.
    public let stage: PrecheckStage
    /// The stage's outcomes of the current block; only the precheck thread
    /// (one `precheck` at a time, which the stage enforces) touches it.
    private var results: [PrecheckResult] = []

    /// A precheck under `rules`, over `threads` workers (the precheck pool's
    /// size; 1: the calling thread alone).
    public init(decoder: any PayloadDecoder, rules: PrecheckRules, threads: Int = 1) throws(WorkerPoolError) {
        self.decoder = decoder
        let pool = threads > 1 ? try WorkerPool(threads: threads, pool: .precheck) : nil
        stage = PrecheckStage(rules: rules, pool: pool)
    }

    /// A precheck that rejects envelopes signed for another chain than
    /// `chainID` (nil accepts any) and envelopes beyond `limits`, and admits
    /// any gas limit and fee (`PrecheckRules` bounds them).
    public convenience init(decoder: any PayloadDecoder, chainID: ChainID? = nil, limits: EnvelopeLimits = .default,
                            threads: Int = 1) throws(WorkerPoolError)
    {
        let rules = PrecheckRules(chainID: chainID, gasLimits: GasLimit(0)...GasLimit(.max), minimumFee: Fee(0),
                                  envelopeLimits: limits)
        try self.init(decoder: decoder, rules: rules, threads: threads)
    }

    /// Envelopes signed for another chain are rejected; nil accepts any.
    public var chainID: ChainID? { stage.rules.chainID }

    /// Decodes, hashes and verifies every envelope of `block`; see `BlockPrecheck`.
    public func precheck(_ block: PackedMessages) -> [PrecheckOutcome] {
        do throws(WorkerPoolError) {
            try stage.check(block, into: &results)
        } catch {
            // The pool is this precheck's own and never shut down while it
            // lives; should it refuse anyway, check on this thread.
            PrecheckStage(rules: stage.rules, pool: nil, chunkSize: stage.chunkSize).checkOrFail(block, into: &results)
        }
        var outcomes: [PrecheckOutcome] = []
        outcomes.reserveCapacity(results.count)
        block.bytes.withUnsafeBytes { bytes in
            for (position, result) in results.enumerated() {
                switch result {
                case .success(let verified):
                    outcomes.append(admit(verified, position: position, bytes: bytes))
                case .failure(let rejection):
                    outcomes.append(.rejected(Rejection(position: position, hash: hash(of: rejection, at: position, in: block, bytes: bytes),
                                                        reason: RejectionReason(rejection))))
                }
            }
        }
        return outcomes
    }

    /// The hash of a rejected envelope that decoded (nil for a malformed
    /// one): the stage does not keep it, and rejections are few.
    private func hash(of rejection: PrecheckRejection, at position: Int, in block: PackedMessages,
                      bytes: UnsafeRawBufferPointer) -> TransactionHash? {
        if case .malformed = rejection { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[block.range(of: position)])
        guard let envelope = try? TransactionEnvelope.parse(raw, limits: stage.rules.envelopeLimits) else { return nil }
        return TransactionHash(BatchHasher.digest(.keccak256, of: UnsafeRawBufferPointer(rebasing: raw[envelope.signedRange])))
    }

    /// The decoder's call for a verified envelope, or its rejection.
    private func admit(_ verified: VerifiedTransaction, position: Int, bytes: UnsafeRawBufferPointer) -> PrecheckOutcome {
        let envelope = verified.envelope
        let raw = UnsafeRawBufferPointer(rebasing: bytes[verified.byteRange])
        do {
            let sender = try PublicKey(scheme: envelope.scheme, bytes: raw[envelope.publicKeyRange])
            let call = try decoder.decode(payload: UnsafeRawBufferPointer(rebasing: raw[envelope.payloadRange]),
                                          sender: sender, envelope: envelope)
            return .verified(AdmittedTransaction(position: position, hash: verified.hash,
                                                 signed: SignedFields(envelope, sender: verified.sender), call: call))
        } catch {
            return .rejected(Rejection(position: position, hash: verified.hash, reason: .undecodablePayload(reason: "\(error)")))
        }
    }
}

extension PrecheckStage {
    /// `check` on the calling thread (a stage without a pool never throws).
    fileprivate func checkOrFail(_ block: PackedMessages, into results: inout [PrecheckResult]) {
        do throws(WorkerPoolError) {
            try check(block, into: &results)
        } catch {
            preconditionFailure("a precheck stage without a pool threw \(error)")
        }
    }
}

extension RejectionReason {
    /// The pipeline's name for the stage's rejection.
    init(_ rejection: PrecheckRejection) {
        switch rejection {
        case .malformed(let error): self = .malformed(error)
        case .wrongChainID(let expected, let found): self = .wrongChain(expected: expected, given: found)
        case .badSignature(let failure): self = .invalidSignature(failure)
        case .gasLimitOutOfRange(let limit, let allowed): self = .gasLimitOutOfRange(limit, allowed: allowed)
        case .feeBelowMinimum(let fee, let minimum): self = .feeBelowMinimum(fee, minimum: minimum)
        }
    }
}
