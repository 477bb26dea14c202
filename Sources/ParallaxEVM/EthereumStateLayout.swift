import ParallaxEthereum
import ParallaxVMInterface

/// How the Ethereum world state lies on Parallax state keys.
///
/// Each account is split over keys so that transactions conflict only on
/// what they really share (Block-STM validates per key):
///
/// | key (32 bytes)                              | value                                         |
/// |---------------------------------------------|-----------------------------------------------|
/// | `01 ‖ address ‖ 0…` (account)               | nonce (8 bytes LE) ‖ code hash (32, omitted for no code) |
/// | `02 ‖ address ‖ 0…` (balance)               | balance, little-endian: 16 bytes below 2^128, else 16 bytes of 0xFF ‖ 32 |
/// | `03 ‖ code hash[1..<32]` (code)              | the code                                      |
/// | `04 ‖ keccak256(address ‖ slot)[1..<32]`     | address (20) ‖ slot (32 BE) ‖ value (32 BE)   |
/// | `05 ‖ address ‖ 0…` (storage count)         | how many of the account's slots are non-zero (8 bytes LE; absent: none) |
///
/// The storage count answers EIP-7610's question (does a CREATE target
/// have storage?) without enumerating slots. `EVMTransaction` keeps it by
/// commutative delta (`add`/`subtract` of the change in non-zero slots), so
/// transactions that fill or clear slots of one contract do not conflict on
/// it; whoever loads a state onto these keys sets it (`storageCountValue`).
/// It is not part of the Ethereum state: the state root ignores it.
///
/// An account exists when its account or balance key does (a balance
/// credited to an absent account creates it, as `CALL` with value does). A
/// storage slot of value zero is absent. The first byte keeps the four
/// kinds apart; the hashed kinds keep 248 bits of Keccak, so a collision
/// costs a 2^124 search. A storage value carries its own address and slot
/// so that the state root (the secure Merkle Patricia Trie, which needs the
/// account and the slot of every entry) can be computed from the key-value
/// state alone, with no preimage table beside it.
///
/// Balances are credited by commutative delta (`ExecutionContext.add`, 128
/// bits): below 2^128 a balance is the 16-byte little-endian integer deltas
/// operate on; a larger one starts with 16 bytes of 0xFF, which a delta reads
/// as 2^128 - 1, so any credit fails its bound check and the caller falls
/// back to a read-modify-write of the full 256-bit value.
public enum EthereumStateLayout {
    /// The bound of a balance credit by delta.
    public static let deltaBalanceLimit = UInt128.max

    public enum Kind: UInt8, Sendable {
        case account = 1, balance = 2, code = 3, storage = 4, storageCount = 5
    }

    public static func accountKey(_ address: Address) -> StateKey { addressKey(.account, address) }

    public static func balanceKey(_ address: Address) -> StateKey { addressKey(.balance, address) }

    /// The key of the number of the account's non-zero storage slots.
    public static func storageCountKey(_ address: Address) -> StateKey { addressKey(.storageCount, address) }

    /// The value of a storage count (what `ExecutionContext.add` operates on).
    public static func storageCountValue(_ count: UInt64) -> StateValue { StateValue(uint64: count) }

    public static func codeKey(_ codeHash: Bytes32) -> StateKey {
        StateKey(codeHash.w0 & 0x00FF_FFFF_FFFF_FFFF | UInt64(Kind.code.rawValue) << 56, codeHash.w1, codeHash.w2, codeHash.w3)
    }

    public static func storageKey(_ address: Address, _ slot: UInt256) -> StateKey {
        var preimage = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let hash = withUnsafeMutableBytes(of: &preimage) { raw in
            address.store(to: raw.baseAddress!)
            slot.storeBigEndian(to: raw.baseAddress! + Address.byteCount)
            return keccak256(UnsafeRawBufferPointer(rebasing: raw[0..<(Address.byteCount + 32)]))
        }
        return StateKey(hash.w0 & 0x00FF_FFFF_FFFF_FFFF | UInt64(Kind.storage.rawValue) << 56, hash.w1, hash.w2, hash.w3)
    }

    /// `tag ‖ address ‖ 11 zero bytes`.
    static func addressKey(_ kind: Kind, _ address: Address) -> StateKey {
        StateKey(UInt64(kind.rawValue) << 56 | UInt64(address.hi) << 24 | address.mid >> 40,
                 address.mid << 24 | address.lo >> 40, address.lo << 24, 0)
    }

    /// The kind of a key of this layout (nil for any other key).
    public static func kind(of key: StateKey) -> Kind? { Kind(rawValue: UInt8(key.w0 >> 56)) }

    /// The address of an account, balance or storage-count key.
    public static func address(ofAddressKey key: StateKey) -> Address {
        Address(hi: UInt32(truncatingIfNeeded: key.w0 >> 24),
                mid: key.w0 << 40 | key.w1 >> 24, lo: key.w1 << 40 | key.w2 >> 24)
    }

    // MARK: Values

    /// Nonce and code hash.
    public static func accountValue(nonce: UInt64, codeHash: Bytes32) -> StateValue {
        guard codeHash != EmptyHashes.code else { return StateValue(uint64: nonce) }
        var bytes = [UInt8](repeating: 0, count: 40)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: nonce.littleEndian, as: UInt64.self)
            codeHash.store(to: raw.baseAddress! + 8)
        }
        return StateValue(bytes)
    }

    /// Nonce and code hash of an account value; nil when it has neither
    /// 8 nor 40 bytes (not a value of this layout).
    public static func decodeAccount(_ value: StateValue) -> (nonce: UInt64, codeHash: Bytes32)? {
        value.withUnsafeBytes { raw in
            switch raw.count {
            case 8: (raw.loadUnaligned(as: UInt64.self).littleEndian, EmptyHashes.code)
            case 40: (raw.loadUnaligned(as: UInt64.self).littleEndian, Bytes32(loadingFrom: raw.baseAddress! + 8))
            default: nil
            }
        }
    }

    public static func balanceValue(_ balance: UInt256) -> StateValue {
        guard balance.l2 == 0, balance.l3 == 0 else {
            var bytes = [UInt8](repeating: 0xFF, count: 48)
            bytes.withUnsafeMutableBytes { raw in
                for (index, limb) in [balance.l0, balance.l1, balance.l2, balance.l3].enumerated() {
                    raw.storeBytes(of: limb.littleEndian, toByteOffset: 16 + 8 * index, as: UInt64.self)
                }
            }
            return StateValue(bytes)
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: balance.l0.littleEndian, as: UInt64.self)
            raw.storeBytes(of: balance.l1.littleEndian, toByteOffset: 8, as: UInt64.self)
        }
        return StateValue(bytes)
    }

    /// A balance value: 16 bytes (or 8, a 64-bit delta's result), or the
    /// 48-byte form of a balance of 2^128 or more.
    public static func decodeBalance(_ value: StateValue) -> UInt256? {
        value.withUnsafeBytes { raw in
            func limb(_ index: Int, from offset: Int = 0) -> UInt64 {
                raw.loadUnaligned(fromByteOffset: offset + 8 * index, as: UInt64.self).littleEndian
            }
            switch raw.count {
            case 8: return UInt256(limb(0))
            case 16: return UInt256(limb(0), limb(1), 0, 0)
            case 48: return UInt256(limb(0, from: 16), limb(1, from: 16), limb(2, from: 16), limb(3, from: 16))
            default: return nil
            }
        }
    }

    static let storageValueLength = Address.byteCount + 64

    public static func storageValue(_ address: Address, _ slot: UInt256, _ value: UInt256) -> StateValue {
        var bytes = [UInt8](repeating: 0, count: storageValueLength)
        bytes.withUnsafeMutableBytes { raw in
            address.store(to: raw.baseAddress!)
            slot.storeBigEndian(to: raw.baseAddress! + Address.byteCount)
            value.storeBigEndian(to: raw.baseAddress! + Address.byteCount + 32)
        }
        return StateValue(bytes)
    }

    /// The address, slot and value of a storage value; nil when it is not
    /// one of this layout.
    public static func decodeStorage(_ value: StateValue) -> (address: Address, slot: UInt256, value: UInt256)? {
        value.withUnsafeBytes { raw in
            guard raw.count == storageValueLength else { return nil }
            let base = raw.baseAddress!
            let slot = UInt256(bigEndian: UnsafeRawBufferPointer(start: base + Address.byteCount, count: 32))
            let word = UInt256(bigEndian: UnsafeRawBufferPointer(start: base + Address.byteCount + 32, count: 32))
            return (Address(loadingFrom: base), slot, word)
        }
    }
}
