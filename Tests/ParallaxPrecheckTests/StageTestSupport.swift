import CSecp256k1
import CSodium
import ParallaxPrecheck
import ParallaxTopology

/// Keys and signing for stage tests: libsodium Ed25519 key pairs and
/// libsecp256k1 ECDSA key pairs from a seeded generator.
final class TestSigners: @unchecked Sendable {
    struct Ed25519Pair { let publicKey: [UInt8]; let secretKey: [UInt8] }
    struct Secp256k1Pair { let publicKey: [UInt8]; let secretKey: [UInt8] }

    let ed25519: [Ed25519Pair]
    let secp256k1: [Secp256k1Pair]
    private let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!

    init(_ rng: inout SeededGenerator, ed25519Keys: Int = 8, secp256k1Keys: Int = 4) {
        precondition(sodium_init() >= 0)
        ed25519 = (0..<ed25519Keys).map { _ in
            var pk = [UInt8](repeating: 0, count: 32), sk = [UInt8](repeating: 0, count: 64)
            precondition(crypto_sign_seed_keypair(&pk, &sk, rng.bytes(32)) == 0)
            return Ed25519Pair(publicKey: pk, secretKey: sk)
        }
        var pairs: [Secp256k1Pair] = []
        while pairs.count < secp256k1Keys {
            let secret = rng.bytes(32)
            guard secp256k1_ec_seckey_verify(context, secret) == 1 else { continue }
            var key = secp256k1_pubkey()
            precondition(secp256k1_ec_pubkey_create(context, &key, secret) == 1)
            var out = [UInt8](repeating: 0, count: 33)
            var length = 33
            precondition(secp256k1_ec_pubkey_serialize(context, &out, &length, &key, UInt32(SECP256K1_EC_COMPRESSED)) == 1)
            pairs.append(Secp256k1Pair(publicKey: out, secretKey: secret))
        }
        secp256k1 = pairs
    }

    deinit { secp256k1_context_destroy(context) }

    /// Ed25519 signature of `hash` (the 32 hash bytes are the signed message).
    func signEd25519(_ hash: TransactionHash, with pair: Ed25519Pair) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 64)
        let message = hash.digest.bytes
        precondition(crypto_sign_detached(&signature, nil, message, UInt64(message.count), pair.secretKey) == 0)
        return signature
    }

    /// Low-s compact `r || s` ECDSA signature of `hash` (RFC 6979 nonce).
    func signSecp256k1(_ hash: TransactionHash, with pair: Secp256k1Pair) -> [UInt8] {
        var signature = secp256k1_ecdsa_signature()
        precondition(secp256k1_ecdsa_sign(context, &signature, hash.digest.bytes, pair.secretKey, nil, nil) == 1)
        var out = [UInt8](repeating: 0, count: 64)
        precondition(secp256k1_ecdsa_signature_serialize_compact(context, &out, &signature) == 1)
        return out
    }
}

/// A block of encoded transactions and, for each, the outcome the stage must
/// give, built independently of the stage from how each transaction was made.
struct StageTestBlock {
    /// What a generated transaction is; each bad kind names the rejection it must get.
    enum Kind: CaseIterable {
        case validEd25519, validSecp256k1
        case truncated, unsupportedVersion, unknownScheme, payloadTooLarge, oversized, trailingBytes
        case flippedEd25519SignatureBit, tamperedEd25519Payload, smallOrderEd25519Key
        case flippedSecp256k1SignatureBit, secp256k1KeyNotOnCurve
        case wrongChainID, wrongChainIDAndBadSignature, gasLimitTooLow, gasLimitTooHigh, feeTooLow
    }

    static let rules = PrecheckRules(chainID: ChainID(7), gasLimits: GasLimit(21_000)...GasLimit(1_000_000),
                                     minimumFee: Fee(2), envelopeLimits: EnvelopeLimits(maxPayloadBytes: 256)!)

    var block = PackedMessages()
    var expected: [PrecheckResult] = []
    var kinds: [Kind] = []

    /// `count` transactions; each is valid with probability about one half,
    /// otherwise of a bad kind drawn uniformly (or drawn from `kinds` if given).
    init(count: Int, signers: TestSigners, rng: inout SeededGenerator, only allowed: [Kind]? = nil) throws {
        let bad = Kind.allCases.filter { $0 != .validEd25519 && $0 != .validSecp256k1 }
        for _ in 0..<count {
            let kind: Kind
            if let allowed {
                kind = allowed[Int(rng.next() % UInt64(allowed.count))]
            } else if rng.next() % 2 == 0 {
                kind = rng.next() % 3 == 0 ? .validSecp256k1 : .validEd25519
            } else {
                kind = bad[Int(rng.next() % UInt64(bad.count))]
            }
            try append(kind, signers: signers, rng: &rng)
        }
    }

    /// A valid transaction under `rules` (fields drawn at random) and its signature.
    static func signed(_ scheme: SignatureScheme, signers: TestSigners, rng: inout SeededGenerator,
                       chainID: ChainID = rules.chainID!, gasLimit: GasLimit? = nil, fee: Fee? = nil,
                       payloadBytes: Int? = nil) throws -> SignedTransaction {
        let gas = gasLimit ?? GasLimit(21_000 + rng.next() % (1_000_000 - 21_000 + 1))
        let payload = rng.bytes(payloadBytes ?? Int(rng.next() % 257))
        switch scheme {
        case .ed25519:
            let pair = signers.ed25519[Int(rng.next() % UInt64(signers.ed25519.count))]
            let unsigned = UnsignedTransaction(
                chainID: chainID, sender: try PublicKey(scheme: .ed25519, bytes: pair.publicKey), nonce: Nonce(rng.next()),
                gasLimit: gas, fee: fee ?? Fee(2 + rng.next() % 1000), payload: payload)
            return try unsigned.signed(with: Signature(scheme: .ed25519, bytes: signers.signEd25519(unsigned.hash, with: pair)))
        case .secp256k1:
            let pair = signers.secp256k1[Int(rng.next() % UInt64(signers.secp256k1.count))]
            let unsigned = UnsignedTransaction(
                chainID: chainID, sender: try PublicKey(scheme: .secp256k1, bytes: pair.publicKey), nonce: Nonce(rng.next()),
                gasLimit: gas, fee: fee ?? Fee(2 + rng.next() % 1000), payload: payload)
            return try unsigned.signed(with: Signature(scheme: .secp256k1, bytes: signers.signSecp256k1(unsigned.hash, with: pair)))
        }
    }

    /// The outcome a well-formed, in-rules, correctly signed envelope must get.
    static func verified(_ bytes: [UInt8], at start: Int) throws -> PrecheckResult {
        let transaction = try SignedTransaction(decoding: bytes, limits: rules.envelopeLimits)
        let envelope = try TransactionEnvelope.parse(bytes, limits: rules.envelopeLimits)
        return .success(VerifiedTransaction(hash: transaction.hash, sender: SenderKey(transaction.unsigned.sender),
                                            envelope: envelope, byteRange: start..<(start + bytes.count)))
    }

    mutating func append(_ kind: Kind, signers: TestSigners, rng: inout SeededGenerator) throws {
        let rules = Self.rules
        let limit = rules.envelopeLimits
        let start = block.bytes.count
        var bytes: [UInt8]
        let outcome: PrecheckResult
        let anyScheme: SignatureScheme = rng.next() % 2 == 0 ? .ed25519 : .secp256k1
        switch kind {
        case .validEd25519, .validSecp256k1:
            bytes = try Self.signed(kind == .validEd25519 ? .ed25519 : .secp256k1, signers: signers, rng: &rng).encoded()
            outcome = try Self.verified(bytes, at: start)
        case .truncated:
            let whole = try Self.signed(anyScheme, signers: signers, rng: &rng).encoded()
            bytes = Array(whole[0..<Int(rng.next() % UInt64(whole.count))])
            // The decoder's own tests pin down each cut's error; here it must be a truncation.
            let error: EnvelopeError
            do {
                _ = try TransactionEnvelope.parse(bytes, limits: limit)
                preconditionFailure("a cut envelope decoded")
            } catch let caught {
                error = caught
            }
            guard case .truncated = error else { preconditionFailure("a cut envelope gave \(error)") }
            outcome = .failure(.malformed(error))
        case .unsupportedVersion:
            bytes = try Self.signed(anyScheme, signers: signers, rng: &rng).encoded()
            bytes[0] = 2 + UInt8(truncatingIfNeeded: rng.next() % 254)
            outcome = .failure(.malformed(.unsupportedVersion(bytes[0])))
        case .unknownScheme:
            bytes = try Self.signed(anyScheme, signers: signers, rng: &rng).encoded()
            bytes[1] = 3 + UInt8(truncatingIfNeeded: rng.next() % 253)
            outcome = .failure(.malformed(.unknownSignatureScheme(bytes[1])))
        case .payloadTooLarge:
            bytes = try Self.signed(anyScheme, signers: signers, rng: &rng).encoded()
            let declared = UInt32(limit.maxPayloadBytes + 1) + UInt32(truncatingIfNeeded: rng.next() % 100_000)
            let offset = 34 + anyScheme.publicKeyLength
            withUnsafeBytes(of: declared.littleEndian) { for i in 0..<4 { bytes[offset + i] = $0[i] } }
            outcome = .failure(.malformed(.payloadTooLarge(declared: declared, limit: limit.maxPayloadBytes)))
        case .oversized:
            bytes = try Self.signed(anyScheme, signers: signers, rng: &rng).encoded()
            bytes += rng.bytes(limit.maxEnvelopeBytes + 1 - bytes.count + Int(rng.next() % 64))
            outcome = .failure(.malformed(.oversized(byteCount: bytes.count, limit: limit.maxEnvelopeBytes)))
        case .trailingBytes:
            bytes = try Self.signed(anyScheme, signers: signers, rng: &rng, payloadBytes: Int(rng.next() % 200)).encoded()
            let extra = 1 + Int(rng.next() % 8)
            bytes += rng.bytes(extra)
            outcome = .failure(.malformed(.trailingBytes(count: extra)))
        case .flippedEd25519SignatureBit:
            bytes = try Self.signed(.ed25519, signers: signers, rng: &rng).encoded()
            let bit = Int(rng.next() % 512)
            bytes[bytes.count - 64 + bit / 8] ^= 1 << UInt8(bit % 8)
            outcome = .failure(.badSignature(.ed25519(try Self.singleVerdict(bytes))))
        case .tamperedEd25519Payload:
            bytes = try Self.signed(.ed25519, signers: signers, rng: &rng, payloadBytes: 1 + Int(rng.next() % 256)).encoded()
            let payloadStart = 38 + 32
            let payloadBytes = bytes.count - 64 - payloadStart
            bytes[payloadStart + Int(rng.next() % UInt64(payloadBytes))] ^= 1 << UInt8(rng.next() % 8)
            outcome = .failure(.badSignature(.ed25519(try Self.singleVerdict(bytes))))
        case .smallOrderEd25519Key:
            // The identity point (y = 1): small order, whatever the signature.
            let key = try PublicKey(scheme: .ed25519, bytes: [1] + [UInt8](repeating: 0, count: 31))
            let unsigned = UnsignedTransaction(chainID: rules.chainID!, sender: key, nonce: Nonce(rng.next()),
                                               gasLimit: GasLimit(21_000), fee: Fee(2), payload: rng.bytes(8))
            bytes = try unsigned.signed(with: Signature(scheme: .ed25519, bytes: rng.bytes(32) + [UInt8](repeating: 0, count: 32))).encoded()
            outcome = .failure(.badSignature(.ed25519(.keySmallOrder)))
        case .flippedSecp256k1SignatureBit:
            bytes = try Self.signed(.secp256k1, signers: signers, rng: &rng).encoded()
            let bit = Int(rng.next() % 512)
            bytes[bytes.count - 64 + bit / 8] ^= 1 << UInt8(bit % 8)
            outcome = .failure(.badSignature(.secp256k1Invalid))
        case .secp256k1KeyNotOnCurve:
            bytes = try Self.signed(.secp256k1, signers: signers, rng: &rng).encoded()
            bytes[10] = 0x05  // no SEC 1 encoding starts with 5
            outcome = .failure(.badSignature(.secp256k1KeyNotOnCurve))
        case .wrongChainID, .wrongChainIDAndBadSignature:
            let chain = ChainID(rules.chainID!.rawValue + 1 + rng.next() % 1000)
            bytes = try Self.signed(anyScheme, signers: signers, rng: &rng, chainID: chain).encoded()
            // The rules are checked first: a bad signature does not change the reason.
            if kind == .wrongChainIDAndBadSignature { bytes[bytes.count - 1 - Int(rng.next() % 32)] ^= 0x10 }
            outcome = .failure(.wrongChainID(expected: rules.chainID!, found: chain))
        case .gasLimitTooLow, .gasLimitTooHigh:
            let gas = kind == .gasLimitTooLow
                ? GasLimit(rng.next() % rules.gasLimits.lowerBound.rawValue)
                : GasLimit(rules.gasLimits.upperBound.rawValue + 1 + rng.next() % 1_000_000_000)
            bytes = try Self.signed(anyScheme, signers: signers, rng: &rng, gasLimit: gas).encoded()
            outcome = .failure(.gasLimitOutOfRange(gas, allowed: rules.gasLimits))
        case .feeTooLow:
            let fee = Fee(rng.next() % rules.minimumFee.rawValue)
            bytes = try Self.signed(anyScheme, signers: signers, rng: &rng, fee: fee).encoded()
            outcome = .failure(.feeBelowMinimum(fee, minimum: rules.minimumFee))
        }
        block.append(bytes)
        expected.append(outcome)
        kinds.append(kind)
    }

    /// Our single Ed25519 verifier's verdict on an Ed25519 envelope's
    /// signature over its own hash; never `.valid` for the corruptions above.
    static func singleVerdict(_ bytes: [UInt8]) throws -> Ed25519.Verdict {
        let transaction = try SignedTransaction(decoding: bytes, limits: rules.envelopeLimits)
        let verdict = try Ed25519.verdict(publicKey: transaction.unsigned.sender.bytes, signature: transaction.signature.bytes,
                                          message: transaction.hash.digest.bytes)
        precondition(verdict != .valid, "a corrupted Ed25519 signature verified")
        return verdict
    }
}

/// An unpinned pool of `workers` precheck workers on a synthetic machine (two
/// NUMA nodes when there are several workers), so any worker count runs here.
func testPool(workers: Int) throws -> WorkerPool {
    let nodes = workers > 1 ? 2 : 1
    let topology = try Topology(synthetic: "pack:1 numa:\(nodes) core:\((workers + nodes - 1) / nodes) pu:1")
    let plan = try PlacementPlan(topology: topology,
                                 request: PlacementRequest(pools: [PoolRequest(.precheck, .workers(workers))]))
    return try WorkerPool(plan: plan, pool: .precheck, options: .init(pinning: .unpinned))
}
