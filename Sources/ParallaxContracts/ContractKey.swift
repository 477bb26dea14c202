import ParallaxVMInterface

/// The state layout shared by the built-in contracts: a 32-byte key is
/// derived from (contract, field, up to three operands) by placing them in
/// the key's four words, so deriving one costs a few moves and no hashing.
///
/// ```
/// w0 = contract (16 bits) << 48 | field (16 bits) << 32   (low 32 bits zero)
/// w1 = first operand  (an account, a token, a pool, a collection, an item)
/// w2 = second operand (an account, a token id, ...), or 0
/// w3 = third operand, or 0
/// ```
///
/// Distinct (contract, field, operands) give distinct keys, and keys of one
/// contract sort together (keys order by their bytes). The key table of the
/// executors hashes every word (`StateKey.mixed`), so the structured layout
/// does not cluster in its index.
public enum ContractKey {
    /// The contract that owns a key: the top 16 bits of its first word.
    public enum Contract: UInt16, Sendable, CaseIterable {
        /// Native currency: balances that pay fees, nonces (p2p).
        case native = 1
        /// Fungible tokens (`TokenLayout`).
        case erc20 = 2
        /// Constant-product pools (`PoolLayout`).
        case amm = 3
        /// Non-fungible collections (`CollectibleLayout`).
        case nft = 4
        /// Supply-chain custody (`CustodyLayout`).
        case supplyChain = 5
    }

    /// The key of `field` of `contract` with operands `a`, `b` and `c` (laid out as the table above shows).
    @inlinable
    public static func make(_ contract: Contract, field: UInt16, _ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0) -> StateKey {
        StateKey(UInt64(contract.rawValue) << 48 | UInt64(field) << 32, a, b, c)
    }
}

/// Event topics: the first eight bytes of the Keccak-256 of the Solidity
/// event signature, as Ethereum logs carry them, so that a reader of the
/// outputs recognizes them.
public enum EventTopic {
    /// `Transfer(address,address,uint256)`.
    public static let transfer: UInt64 = 0xDDF2_52AD_1BE2_C89B
    /// `Approval(address,address,uint256)`.
    public static let approval: UInt64 = 0x8C5B_E1E5_EBEC_7D5B
    /// `Swap(address,uint256,uint256,uint256,uint256,address)` (Uniswap v2 pair).
    public static let swap: UInt64 = 0xD78A_D95F_A46C_994B
}

/// Little-endian encoding of event data and two-word values.
@usableFromInline
enum Encoding {
    @inlinable
    static func words(_ words: UInt64...) -> [UInt8] {
        // One allocation of the exact size (events are built on the hot path).
        [UInt8](unsafeUninitializedCapacity: 8 * words.count) { bytes, initialized in
            for (index, word) in words.enumerated() {
                for offset in 0..<8 { bytes[8 * index + offset] = UInt8(truncatingIfNeeded: word >> UInt64(8 * offset)) }
            }
            initialized = 8 * words.count
        }
    }

    /// A 16-byte value of two words (inline in `StateValue`).
    @inlinable
    static func pair(_ low: UInt64, _ high: UInt64) -> StateValue {
        StateValue(words(low, high))
    }

    /// The two words of a 16-byte value; missing bytes are zero.
    @inlinable
    static func unpair(_ value: StateValue) -> (low: UInt64, high: UInt64) {
        value.withUnsafeBytes { bytes in
            var low: UInt64 = 0
            var high: UInt64 = 0
            for (offset, byte) in bytes.enumerated() where offset < 16 {
                if offset < 8 { low |= UInt64(byte) << UInt64(8 * offset) } else { high |= UInt64(byte) << UInt64(8 * (offset - 8)) }
            }
            return (low, high)
        }
    }
}
