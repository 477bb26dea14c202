// Fuzz target "envelope": the bytes a node receives from the network, as the
// pipeline's first stage sees them.
//
// Properties, beyond "no crash":
// - the two decoders agree: `TransactionEnvelope.parse` (in place, what the
//   precheck stage runs) accepts exactly the inputs `SignedTransaction(decoding:)`
//   accepts, with the same fields, or fails with the same `EnvelopeError`;
// - the encoding is canonical: a decoded transaction encodes back to the input
//   bytes exactly, and its hash is Keccak-256 of the signed prefix;
// - the precheck stage, given a block [input, a valid envelope, input], gives
//   the input the decoder's error, the rules' rejection, or the verdict of the
//   single-signature verifier (Ed25519's own, libsecp256k1's), the same at both
//   positions, and never rejects the valid neighbour (a bad Ed25519 signature in
//   a batch must not sink the batch).

import CSodium
import ParallaxPrecheck

enum EnvelopeTarget {
    static let rules = PrecheckRules(chainID: ChainID(1))
    /// Chunks of 4: the three messages are verified as one Ed25519 batch.
    static let stage = PrecheckStage(rules: rules, pool: nil, chunkSize: 4)

    /// A valid Ed25519-signed envelope (fixed key seed), the neighbour in the block.
    static let validNeighbour: [UInt8] = {
        precondition(sodium_init() >= 0)
        var publicKey = [UInt8](repeating: 0, count: 32), secretKey = [UInt8](repeating: 0, count: 64)
        let seed = [UInt8](repeating: 7, count: 32)
        precondition(crypto_sign_seed_keypair(&publicKey, &secretKey, seed) == 0)
        let unsigned = UnsignedTransaction(
            chainID: ChainID(1), sender: try! PublicKey(scheme: .ed25519, bytes: publicKey), nonce: Nonce(3),
            gasLimit: GasLimit(50_000), fee: Fee(2), payload: Array("fuzz".utf8))
        let message = unsigned.hash.digest.bytes
        var signature = [UInt8](repeating: 0, count: 64)
        precondition(crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey) == 0)
        return try! unsigned.signed(with: Signature(scheme: .ed25519, bytes: signature)).encoded()
    }()

    static func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        let inPlace = Result { () throws(EnvelopeError) in try TransactionEnvelope.parse(input) }
        let decoded = Result { () throws(EnvelopeError) in try SignedTransaction(decoding: bytes) }

        switch (inPlace, decoded) {
        case (.failure(let a), .failure(let b)):
            require(a == b, "parse says \(a), SignedTransaction says \(b)")
        case (.success, .failure(let error)), (.failure(let error), .success):
            fatalError("the decoders disagree: one accepts, the other fails with \(error)")
        case (.success(let envelope), .success(let transaction)):
            let unsigned = transaction.unsigned
            require(envelope.scheme == unsigned.sender.scheme && envelope.chainID == unsigned.chainID
                        && envelope.nonce == unsigned.nonce && envelope.gasLimit == unsigned.gasLimit
                        && envelope.fee == unsigned.fee && Array(bytes[envelope.payloadRange]) == unsigned.payload
                        && Array(bytes[envelope.publicKeyRange]) == unsigned.sender.bytes
                        && Array(bytes[envelope.signatureRange]) == transaction.signature.bytes
                        && envelope.byteCount == bytes.count,
                    "the decoders read different fields")
            require(transaction.encoded() == bytes, "decode then encode does not give the input back")
            require(transaction.hash == TransactionHash(BatchHasher.digest(.keccak256, of: Array(bytes[envelope.signedRange]))),
                    "the hash is not Keccak-256 of the signed prefix")
        }

        var block = PackedMessages()
        block.append(bytes)
        block.append(validNeighbour)
        block.append(bytes)
        let results: [PrecheckResult]
        do { results = try stage.check(block) } catch { fatalError("a stage without a pool threw \(error)") }
        require(results.count == 3, "\(results.count) results for 3 messages")
        let first = withoutPosition(results[0]), third = withoutPosition(results[2])
        require(first == third, "the same bytes got \(first) and \(third)")
        if case .success(let verified) = results[2] {
            let start = bytes.count + validNeighbour.count
            require(verified.byteRange == start..<(start + bytes.count), "the third message's range is \(verified.byteRange)")
        }
        if case .failure(let rejection) = results[1] {
            fatalError("the valid neighbour was rejected: \(rejection)")
        }
        let want = expected(inPlace, bytes)
        require(results[0] == want, "the stage says \(results[0]), expected \(want)")
    }

    /// The outcome the stage must give `bytes`, from the decoder, the rules and the single verifiers.
    static func expected(_ parsed: Result<TransactionEnvelope, EnvelopeError>, _ bytes: [UInt8]) -> PrecheckResult {
        let envelope: TransactionEnvelope
        switch parsed {
        case .failure(let error): return .failure(.malformed(error))
        case .success(let value): envelope = value
        }
        if let rejection = rules.rejection(of: envelope) { return .failure(rejection) }
        let hash = TransactionHash(BatchHasher.digest(.keccak256, of: Array(bytes[envelope.signedRange])))
        let key = Array(bytes[envelope.publicKeyRange]), signature = Array(bytes[envelope.signatureRange])
        do {
            switch envelope.scheme {
            case .ed25519:
                let verdict = try Ed25519.verdict(publicKey: key, signature: signature, message: hash.digest.bytes)
                if !verdict.isValid { return .failure(.badSignature(.ed25519(verdict))) }
            case .secp256k1:
                do {
                    if try !Secp256k1.verify(publicKey: key, signature: signature, messageHash: hash.digest.bytes) {
                        return .failure(.badSignature(.secp256k1Invalid))
                    }
                } catch .publicKeyNotOnCurve {
                    return .failure(.badSignature(.secp256k1KeyNotOnCurve))
                }
            }
        } catch {
            fatalError("the decoder admitted a key or signature the verifier refuses by length: \(error)")
        }
        let sender = SenderKey(try! PublicKey(scheme: envelope.scheme, bytes: key))
        return .success(VerifiedTransaction(hash: hash, sender: sender, envelope: envelope, byteRange: 0..<bytes.count))
    }
}

/// `result` with a verified transaction's block position cleared, to compare
/// the outcomes of the same bytes at two positions.
private func withoutPosition(_ result: PrecheckResult) -> PrecheckResult {
    result.map { VerifiedTransaction(hash: $0.hash, sender: $0.sender, envelope: $0.envelope, byteRange: 0..<0) }
}
