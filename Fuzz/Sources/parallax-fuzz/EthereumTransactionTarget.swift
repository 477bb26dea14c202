// Fuzz target "ethereum-transaction": `EthereumTransaction(decoding:)` over
// every envelope (legacy with and without EIP-155, EIP-2930, EIP-1559,
// EIP-4844), then sender recovery.
//
// Properties, beyond "no crash": every malformation is a
// `TransactionDecodingError`; a decoded transaction encodes back to exactly the
// input (the decoder is strict, so the encoding is unique) and decodes again to
// an equal value; `hash` is Keccak-256 of the input; and sender recovery
// (ParallaxEthereum's, on libsecp256k1's recovery) agrees with the precheck
// stage's independent `Secp256k1.recoverPublicKey`: both find the same key's
// address, or both find none (the EIP-2 high-s rule aside, which only
// ParallaxEthereum applies and which is checked against s > n/2 here).

import ParallaxEthereum
import ParallaxPrecheck

enum EthereumTransactionTarget {
    /// secp256k1's n / 2, the largest s EIP-2 allows.
    static let halfOrder = UInt256(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")!

    static func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        let transaction: EthereumTransaction
        do {
            transaction = try EthereumTransaction(decoding: bytes)
        } catch {
            _ = error.description
            return
        }
        let encoded = transaction.encoded
        require(encoded == bytes, "decode then encode does not give the input back")
        require((try? EthereumTransaction(decoding: encoded)) == transaction, "the re-encoding decodes differently")
        require(transaction.hash == keccak256(bytes), "hash is not Keccak-256 of the encoding")

        let lenient = Result { () throws(SenderRecoveryError) in try transaction.recoverSender(allowHighS: true) }
        let strict = Result { () throws(SenderRecoveryError) in try transaction.recoverSender() }
        let signature = transaction.signature
        switch (lenient, strict) {
        case (.success(let a), .success(let b)): require(a == b, "the high-s rule changed the sender")
        case (.success, .failure(let error)):
            require(error == .highS && signature.s > halfOrder, "only the strict recovery failed, with \(error)")
        case (.failure(let a), .failure(let b)):
            // The range checks of r and s come before the high-s rule, every other failure after it.
            require(a == b || (b == .highS && signature.s > halfOrder), "lenient \(a), strict \(b)")
        case (.failure(let error), .success): fatalError("only the lenient recovery failed, with \(error)")
        }

        var compact = signature.r.bigEndianBytes + signature.s.bigEndianBytes
        compact.append(signature.yParity)
        let key: [UInt8]?
        do {
            key = try Secp256k1.recoverPublicKey(signature: compact, messageHash: transaction.signingHash.bytes)
        } catch {
            fatalError("Secp256k1.recoverPublicKey refused a 65-byte signature and a 32-byte hash: \(error)")
        }
        switch (lenient, key) {
        case (.success(let sender), let key?):
            require(Address(bytes: Array(keccak256(Array(key.dropFirst())).bytes.suffix(20))) == sender,
                    "the two recoveries found different senders")
        case (.failure, nil): break
        case (.success, nil): fatalError("only ParallaxEthereum recovered a sender")
        case (.failure(let error), _?): fatalError("only the precheck recovered a key; ParallaxEthereum: \(error)")
        }
    }
}
