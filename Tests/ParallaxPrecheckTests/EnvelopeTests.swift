import ParallaxPrecheck
import Testing

@Suite struct EnvelopeTests {
    static func sample(scheme: SignatureScheme = .ed25519, payload: [UInt8] = [0xAA, 0xBB]) throws -> SignedTransaction {
        let key = try PublicKey(scheme: scheme, bytes: [UInt8](repeating: 0x11, count: scheme.publicKeyLength))
        let unsigned = UnsignedTransaction(chainID: ChainID(7), sender: key, nonce: Nonce(0x0102_0304_0506_0708),
                                           gasLimit: GasLimit(21_000), fee: Fee(3), payload: payload)
        return try unsigned.signed(with: Signature(scheme: scheme, bytes: [UInt8](repeating: 0x22, count: 64)))
    }

    static func random(_ rng: inout SeededGenerator, maxPayload: Int = 600) throws -> SignedTransaction {
        let scheme = SignatureScheme.allCases[Int(rng.next() % 2)]
        let unsigned = UnsignedTransaction(
            chainID: ChainID(rng.next()), sender: try PublicKey(scheme: scheme, bytes: rng.bytes(scheme.publicKeyLength)),
            nonce: Nonce(rng.next()), gasLimit: GasLimit(rng.next()), fee: Fee(rng.next()),
            payload: rng.bytes(Int(rng.next() % UInt64(maxPayload + 1))))
        return try unsigned.signed(with: Signature(scheme: scheme, bytes: rng.bytes(64)))
    }

    /// The byte layout of docs/precheck.md, spelled out by hand.
    @Test func layoutIsTheDocumentedOne() throws {
        let transaction = try Self.sample()
        let prefix = hex("01" + "01" + "0700000000000000" + String(repeating: "11", count: 32)
                         + "0807060504030201" + "0852000000000000" + "0300000000000000" + "02000000" + "aabb")
        let encoded = transaction.encoded()
        #expect(encoded == prefix + [UInt8](repeating: 0x22, count: 64))
        #expect(transaction.unsigned.signingBytes == prefix)
        #expect(transaction.hash.digest == BatchHasher.digest(.keccak256, of: prefix))
        #expect(encoded.count == TransactionEnvelope.fixedBytes(for: .ed25519) + 2)

        let envelope = try TransactionEnvelope.parse(encoded)
        #expect(envelope.scheme == .ed25519 && envelope.chainID == ChainID(7) && envelope.nonce == Nonce(0x0102_0304_0506_0708))
        #expect(envelope.gasLimit == GasLimit(21_000) && envelope.fee == Fee(3))
        #expect(envelope.publicKeyRange == 10..<42 && envelope.payloadRange == 70..<72)
        #expect(envelope.signatureRange == 72..<136 && envelope.signedRange == 0..<72 && envelope.byteCount == 136)

        let secp = try Self.sample(scheme: .secp256k1, payload: []).encoded()
        #expect(secp[1] == 2 && secp.count == 10 + 33 + 28 + 64)
        #expect(try TransactionEnvelope.parse(secp).signatureRange == 71..<135)
    }

    @Test func randomTransactionsRoundTrip() throws {
        var rng = SeededGenerator.fromEnvironment()
        for _ in 0..<300 {
            let transaction = try Self.random(&rng)
            let encoded = transaction.encoded()
            let decoded = try SignedTransaction(decoding: encoded)
            #expect(decoded == transaction, "seed \(rng.seed)")
            #expect(decoded.hash == transaction.hash)
            let envelope = try TransactionEnvelope.parse(encoded)
            #expect(transaction.hash.digest == BatchHasher.digest(.keccak256, of: encoded[envelope.signedRange]))
            #expect(Array(encoded[envelope.payloadRange]) == transaction.unsigned.payload)
            #expect(Array(encoded[envelope.publicKeyRange]) == transaction.unsigned.sender.bytes)
            #expect(Array(encoded[envelope.signatureRange]) == transaction.signature.bytes)
        }
    }

    @Test func decodingASliceUsesRangesFromItsStart() throws {
        let encoded = try Self.sample().encoded()
        let padded = [0xEE, 0xEE, 0xEE] + encoded + [0xEE]
        let slice = padded[3..<(3 + encoded.count)]
        #expect(try TransactionEnvelope.parse(slice) == TransactionEnvelope.parse(encoded))
        #expect(try SignedTransaction(decoding: slice) == Self.sample())
    }

    /// Cutting the envelope anywhere names the field it cut into.
    @Test(arguments: SignatureScheme.allCases)
    func everyTruncationIsReported(_ scheme: SignatureScheme) throws {
        let encoded = try Self.sample(scheme: scheme, payload: [1, 2, 3, 4, 5]).encoded()
        let k = scheme.publicKeyLength
        // (field, offset, size) in encoding order, from the documented layout.
        let fields: [(EnvelopeField, Int, Int)] = [
            (.version, 0, 1), (.signatureScheme, 1, 1), (.chainID, 2, 8), (.publicKey, 10, k),
            (.nonce, 10 + k, 8), (.gasLimit, 18 + k, 8), (.fee, 26 + k, 8), (.payloadLength, 34 + k, 4),
            (.payload, 38 + k, 5), (.signature, 43 + k, 64),
        ]
        #expect(fields.last!.1 + 64 == encoded.count)
        for cut in 0..<encoded.count {
            let (field, offset, size) = fields.last { $0.1 <= cut }!
            #expect(throws: EnvelopeError.truncated(field, needed: size, available: cut - offset)) {
                try TransactionEnvelope.parse(encoded[..<cut])
            }
        }
    }

    @Test(arguments: [UInt8(0), 2, 0x7F, 0xFF])
    func wrongVersionIsRejected(_ version: UInt8) throws {
        var encoded = try Self.sample().encoded()
        encoded[0] = version
        #expect(throws: EnvelopeError.unsupportedVersion(version)) { try SignedTransaction(decoding: encoded) }
    }

    @Test(arguments: [UInt8(0), 3, 0xFF])
    func unknownSchemeIsRejected(_ tag: UInt8) throws {
        var encoded = try Self.sample().encoded()
        encoded[1] = tag
        #expect(throws: EnvelopeError.unknownSignatureScheme(tag)) { try TransactionEnvelope.parse(encoded) }
    }

    /// Overwrites the payload length field of an Ed25519 envelope.
    static func withDeclaredPayloadLength(_ length: UInt32, _ encoded: [UInt8]) -> [UInt8] {
        var bytes = encoded
        withUnsafeBytes(of: length.littleEndian) { bytes.replaceSubrange(66..<70, with: $0) }
        return bytes
    }

    @Test func payloadLengthIsNeverTrusted() throws {
        let encoded = try Self.sample(payload: [1, 2, 3]).encoded()
        // Longer than the bytes present: the payload and signature cannot both fit.
        #expect(throws: EnvelopeError.truncated(.payload, needed: 1000, available: 3 + 64)) {
            try TransactionEnvelope.parse(Self.withDeclaredPayloadLength(1000, encoded))
        }
        // Far beyond the limit: rejected before it is compared with the input.
        #expect(throws: EnvelopeError.payloadTooLarge(declared: .max, limit: EnvelopeLimits.default.maxPayloadBytes)) {
            try TransactionEnvelope.parse(Self.withDeclaredPayloadLength(.max, encoded))
        }
        // Shorter than the payload: the rest reads as signature plus trailing bytes.
        #expect(throws: EnvelopeError.trailingBytes(count: 2)) {
            try TransactionEnvelope.parse(Self.withDeclaredPayloadLength(1, encoded))
        }
    }

    @Test func payloadLimitIsInclusive() throws {
        let limits = try #require(EnvelopeLimits(maxPayloadBytes: 16))
        #expect(EnvelopeLimits(maxPayloadBytes: -1) == nil)
        let atLimit = try Self.sample(payload: [UInt8](repeating: 9, count: 16)).encoded()
        #expect(try TransactionEnvelope.parse(atLimit, limits: limits).payloadRange.count == 16)
        let overLimit = try Self.sample(payload: [UInt8](repeating: 9, count: 17)).encoded()
        // An envelope that long exceeds the largest valid size (secp256k1 keys are one byte longer).
        #expect(overLimit.count <= limits.maxEnvelopeBytes)
        #expect(throws: EnvelopeError.payloadTooLarge(declared: 17, limit: 16)) {
            try TransactionEnvelope.parse(overLimit, limits: limits)
        }
    }

    @Test func oversizedInputIsRejectedUpFront() throws {
        let limits = try #require(EnvelopeLimits(maxPayloadBytes: 16))
        let tooLong = [UInt8](repeating: 0, count: limits.maxEnvelopeBytes + 1)
        #expect(throws: EnvelopeError.oversized(byteCount: tooLong.count, limit: limits.maxEnvelopeBytes)) {
            try TransactionEnvelope.parse(tooLong, limits: limits)
        }
    }

    @Test(arguments: [1, 64, 1000])
    func trailingGarbageIsRejected(_ extra: Int) throws {
        let encoded = try Self.sample().encoded() + [UInt8](repeating: 0, count: extra)
        #expect(throws: EnvelopeError.trailingBytes(count: extra)) { try SignedTransaction(decoding: encoded) }
    }

    @Test func emptyInputIsTruncatedAtTheVersion() {
        #expect(throws: EnvelopeError.truncated(.version, needed: 1, available: 0)) { try SignedTransaction(decoding: []) }
    }

    @Test func partsAreCheckedAgainstTheirScheme() throws {
        #expect(throws: EnvelopeError.wrongLength(.publicKey, expected: 33, actual: 32)) {
            try PublicKey(scheme: .secp256k1, bytes: [UInt8](repeating: 1, count: 32))
        }
        #expect(throws: EnvelopeError.wrongLength(.signature, expected: 64, actual: 65)) {
            try Signature(scheme: .ed25519, bytes: [UInt8](repeating: 1, count: 65))
        }
        let unsigned = try Self.sample().unsigned
        #expect(throws: EnvelopeError.schemeMismatch(publicKey: .ed25519, signature: .secp256k1)) {
            try unsigned.signed(with: Signature(scheme: .secp256k1, bytes: [UInt8](repeating: 1, count: 64)))
        }
    }

    /// Random corruptions never crash the decoder; whatever it accepts
    /// re-encodes to exactly the input (one encoding per transaction).
    @Test func corruptedEnvelopesAreRejectedOrCanonical() throws {
        var rng = SeededGenerator.fromEnvironment()
        var accepted = 0
        for _ in 0..<2000 {
            var bytes = try Self.random(&rng, maxPayload: 40).encoded()
            switch rng.next() % 4 {
            case 0: bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            case 1: bytes.removeLast(Int(rng.next() % UInt64(bytes.count)) + 1)
            case 2: bytes += rng.bytes(Int(rng.next() % 8) + 1)
            default: bytes = rng.bytes(Int(rng.next() % 200))
            }
            do {
                let decoded = try SignedTransaction(decoding: bytes)
                accepted += 1
                #expect(decoded.encoded() == bytes, "seed \(rng.seed)")
            } catch {
                #expect(!"\(error)".isEmpty)
            }
        }
        // Flipping bits in fields without structure (keys, integers, payload) keeps envelopes valid.
        #expect(accepted > 0, "seed \(rng.seed)")
    }
}

@Suite struct TransactionHasherTests {
    /// A block mixing valid envelopes of both schemes with malformed ones:
    /// every valid one gets the hash its own encoding gives, every malformed
    /// one the error decoding it alone gives, in block order.
    @Test func blockResultsMatchOneByOneDecoding() throws {
        var rng = SeededGenerator.fromEnvironment()
        var block = PackedMessages()
        var expected: [Result<TransactionHash, EnvelopeError>] = []
        for _ in 0..<300 {
            var bytes = try EnvelopeTests.random(&rng, maxPayload: 400).encoded()
            if rng.next() % 4 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count)) + 1) }
            if rng.next() % 8 == 0 { bytes.append(0) }
            block.append(bytes)
            do throws(EnvelopeError) {
                expected.append(.success(try SignedTransaction(decoding: bytes).hash))
            } catch {
                expected.append(.failure(error))
            }
        }
        var hasher = TransactionHasher()
        var results: [Result<TransactionHasher.Hashed, EnvelopeError>] = []
        for _ in 0..<2 {  // the second call reuses the scratch space
            hasher.hash(block, into: &results)
            #expect(results.count == expected.count)
            for (result, expectation) in zip(results, expected) {
                #expect(result.map(\.hash) == expectation, "seed \(rng.seed)")
            }
        }
        #expect(expected.contains { (try? $0.get()) == nil } && expected.contains { (try? $0.get()) != nil })
        hasher.hash(PackedMessages(), into: &results)
        #expect(results.isEmpty)
    }
}
