import CSodium
import ParallaxExecution
import ParallaxPrecheck
import ParallaxContracts

/// An Ed25519 signing key (libsodium's `crypto_sign`), for clients, tests,
/// examples and the harness that build signed envelopes.
public struct Ed25519SigningKey: Sendable {
    /// The 32-byte public key, as an envelope carries it.
    public let publicKey: PublicKey
    private let secretKey: [UInt8]

    /// The key derived from a 32-byte seed (deterministic: same seed, same key).
    public init(seed: [UInt8]) {
        precondition(seed.count == 32, "an Ed25519 seed is 32 bytes, got \(seed.count)")
        var publicBytes = [UInt8](repeating: 0, count: 32)
        var secret = [UInt8](repeating: 0, count: 64)
        precondition(sodium_init() >= 0 && crypto_sign_seed_keypair(&publicBytes, &secret, seed) == 0, "libsodium failed")
        publicKey = try! PublicKey(scheme: .ed25519, bytes: publicBytes)
        secretKey = secret
    }

    /// The key derived from the seed `number` (little-endian, zero-padded):
    /// a convenient deterministic key per account in tests and benchmarks.
    public init(number: UInt64) {
        var seed = [UInt8](repeating: 0, count: 32)
        for offset in 0..<8 { seed[offset] = UInt8(truncatingIfNeeded: number >> UInt64(8 * offset)) }
        seed[31] = 0x50  // keeps these seeds apart from an all-zero seed
        self.init(seed: seed)
    }

    /// Signs `transaction` (which must name this key as its sender): the
    /// signature covers its transaction hash, as the envelope specifies.
    public func sign(_ transaction: UnsignedTransaction) -> SignedTransaction {
        precondition(transaction.sender == publicKey, "the transaction's sender is another key")
        let hash = transaction.hash.digest.bytes
        var signature = [UInt8](repeating: 0, count: 64)
        precondition(crypto_sign_detached(&signature, nil, hash, UInt64(hash.count), secretKey) == 0, "crypto_sign_detached failed")
        return try! transaction.signed(with: Signature(scheme: .ed25519, bytes: signature))
    }
}

/// Signs erc20 calls (`TokenTransaction`) as envelopes: each account's key is
/// `Ed25519SigningKey(number: account)`, and `decoder` maps those keys back.
public struct ERC20Signer: Sendable {
    /// One key per account, indexed by the account number.
    public let keys: [Ed25519SigningKey]
    /// The chain the envelopes are signed for.
    public let chainID: ChainID

    /// Keys for accounts `0..<accounts`.
    public init(accounts: Int, chainID: ChainID = ChainID(1)) {
        keys = (0..<UInt64(accounts)).map { Ed25519SigningKey(number: $0) }
        self.chainID = chainID
    }

    /// The decoder that maps these keys to their accounts.
    public var decoder: ERC20PayloadDecoder {
        var accounts: [PublicKey: Account] = [:]
        for (number, key) in keys.enumerated() { accounts[key.publicKey] = Account(UInt64(number)) }
        return ERC20PayloadDecoder(accounts: accounts)
    }

    /// The signed envelope of `transaction` (its sender's key signs it) with
    /// the sender's `nonce`; gas limit and fee default to the transaction's.
    /// The pipeline runs a sender's envelopes only with nonces 0, 1, 2, ...
    /// in order, each once.
    public func envelope(_ transaction: TokenTransaction, nonce: UInt64, gasLimit: UInt64? = nil, fee: UInt64? = nil) -> [UInt8] {
        let key = keys[Int(transaction.sender.raw)]
        let unsigned = UnsignedTransaction(
            chainID: chainID, sender: key.publicKey, nonce: Nonce(nonce), gasLimit: GasLimit(gasLimit ?? transaction.gasLimit),
            fee: Fee(fee ?? transaction.gasPrice), payload: ERC20Payload.encode(transaction.call, token: transaction.token))
        return key.sign(unsigned).encoded()
    }
}
