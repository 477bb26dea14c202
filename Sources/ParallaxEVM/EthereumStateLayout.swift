import ParallaxEthereum
import ParallaxVMInterface

/// How the Ethereum world state lies on Parallax state keys.
///
/// Each account is split over keys so that transactions conflict only on
/// what they really share (Block-STM validates per key):
///
/// | key (32 bytes)                              | value                                         |
/// |---------------------------------------------|-----------------------------------------------|
/// | `01 ‖ address ‖ 0…` (account)               | nonce (8 bytes LE) ‖ code hash (32, omitted for no code) ‖ storage incarnation (8 LE, omitted when 0); or a tombstone, `FF ‖ incarnation (8 LE)` |
/// | `02 ‖ address ‖ 0…` (balance)               | balance, little-endian: 16 bytes below 2^128, else 16 bytes of 0xFF ‖ 32 |
/// | `03 ‖ code hash[1..<32]` (code)              | the code                                      |
/// | `04 ‖ keccak256(address ‖ slot [‖ incarnation (8 BE), when not 0])[1..<32]` | address (20) ‖ slot (32 BE) ‖ value (32 BE)   |
/// | `05 ‖ address ‖ 0…` (storage count)         | how many of the account's live slots are non-zero (8 bytes LE; absent: none) |
///
/// Storage incarnations make deleting an account with its whole storage
/// O(1) (a SELFDESTRUCT before Cancun, or of a contract created in the same
/// transaction; an EIP-161 deletion of an empty account with storage): the
/// account's slots are keyed by its incarnation, and a deletion of an
/// account whose live incarnation holds storage leaves a tombstone with the
/// next incarnation in the account key instead of enumerating its slots. A
/// later incarnation starts empty: its keys are new. The old incarnation's
/// entries stay in the key-value state as garbage that no key of the live
/// incarnation reaches; `liveAccounts(in:)` (the state root's input) skips
/// them, recognising a slot as live when its key is the one the account's
/// live incarnation gives it. A tombstone is not an account: the account
/// exists again when its balance key does (a credit), or when a write gives
/// it a live account value, which keeps the tombstone's incarnation. The
/// storage count is deleted with the storage it counted. A CREATE needs no
/// new incarnation: EIP-7610 lets it proceed only where the live
/// incarnation has no non-zero slot. Incarnation 0, the start of every
/// account, keeps the encodings without incarnations, so a state without
/// deletions is laid out exactly as before.
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

    /// The key of a storage slot of the account's `incarnation` (0 until the
    /// account is first deleted with storage; see the type's notes).
    public static func storageKey(_ address: Address, _ slot: UInt256, incarnation: UInt64 = 0) -> StateKey {
        var preimage = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let hash = withUnsafeMutableBytes(of: &preimage) { raw in
            address.store(to: raw.baseAddress!)
            slot.storeBigEndian(to: raw.baseAddress! + Address.byteCount)
            guard incarnation != 0 else {
                return keccak256(UnsafeRawBufferPointer(rebasing: raw[0..<(Address.byteCount + 32)]))
            }
            raw.storeBytes(of: incarnation.bigEndian, toByteOffset: Address.byteCount + 32, as: UInt64.self)
            return keccak256(UnsafeRawBufferPointer(rebasing: raw[0..<(Address.byteCount + 40)]))
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

    /// Nonce, code hash and storage incarnation of a live account.
    public static func accountValue(nonce: UInt64, codeHash: Bytes32, incarnation: UInt64 = 0) -> StateValue {
        let hasCode = codeHash != EmptyHashes.code
        if !hasCode && incarnation == 0 { return StateValue(uint64: nonce) }
        var bytes = [UInt8](repeating: 0, count: 8 + (hasCode ? 32 : 0) + (incarnation != 0 ? 8 : 0))
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: nonce.littleEndian, as: UInt64.self)
            if hasCode { codeHash.store(to: raw.baseAddress! + 8) }
            if incarnation != 0 { raw.storeBytes(of: incarnation.littleEndian, toByteOffset: raw.count - 8, as: UInt64.self) }
        }
        return StateValue(bytes)
    }

    /// The account value of a deleted account whose storage lives on in
    /// the key-value state: no account, and the incarnation its next
    /// storage starts at.
    public static func tombstoneValue(incarnation: UInt64) -> StateValue {
        var bytes = [UInt8](repeating: 0xFF, count: 9)
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: incarnation.littleEndian, toByteOffset: 1, as: UInt64.self) }
        return StateValue(bytes)
    }

    /// What an account key holds.
    public struct AccountEntry: Equatable, Sendable {
        /// False for a tombstone: the account key alone does not make the account exist.
        public var isLive: Bool
        public var nonce: UInt64
        public var codeHash: Bytes32
        /// The incarnation the account's storage keys carry.
        public var incarnation: UInt64

        public init(isLive: Bool, nonce: UInt64, codeHash: Bytes32, incarnation: UInt64) {
            self.isLive = isLive
            self.nonce = nonce
            self.codeHash = codeHash
            self.incarnation = incarnation
        }
    }

    /// An account value or tombstone; nil when it has none of the lengths
    /// 8, 16, 40, 48 (live) or 9 (tombstone): not a value of this layout.
    public static func decodeAccountEntry(_ value: StateValue) -> AccountEntry? {
        value.withUnsafeBytes { raw -> AccountEntry? in
            func word(_ offset: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian }
            switch raw.count {
            case 8: return AccountEntry(isLive: true, nonce: word(0), codeHash: EmptyHashes.code, incarnation: 0)
            case 16: return AccountEntry(isLive: true, nonce: word(0), codeHash: EmptyHashes.code, incarnation: word(8))
            case 40, 48:
                return AccountEntry(isLive: true, nonce: word(0), codeHash: Bytes32(loadingFrom: raw.baseAddress! + 8),
                                    incarnation: raw.count == 48 ? word(40) : 0)
            case 9:
                guard raw[0] == 0xFF else { return nil }
                return AccountEntry(isLive: false, nonce: 0, codeHash: EmptyHashes.code, incarnation: word(1))
            default: return nil
            }
        }
    }

    /// Nonce and code hash of a live account value; nil for a tombstone or
    /// a value not of this layout.
    public static func decodeAccount(_ value: StateValue) -> (nonce: UInt64, codeHash: Bytes32)? {
        guard let entry = decodeAccountEntry(value), entry.isLive else { return nil }
        return (entry.nonce, entry.codeHash)
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

extension EthereumStateLayout {
    /// One account of a state of this layout, as the Ethereum state holds it.
    public struct LiveAccount: Equatable, Sendable {
        public var nonce: UInt64
        public var balance: UInt256
        public var codeHash: Bytes32
        /// The non-zero slots of the live incarnation.
        public var storage: [UInt256: UInt256]

        public init(nonce: UInt64, balance: UInt256, codeHash: Bytes32, storage: [UInt256: UInt256]) {
            self.nonce = nonce
            self.balance = balance
            self.codeHash = codeHash
            self.storage = storage
        }
    }

    /// The Ethereum accounts a key-value state of this layout holds: every
    /// account with a live account value or a balance key, with the slots of
    /// its live incarnation only (a slot entry whose key is not the one the
    /// live incarnation gives its address and slot is a deleted
    /// incarnation's garbage). Code is left in the state's code keys; keys of
    /// other layouts, storage counts and tombstones without a balance are
    /// not accounts.
    public static func liveAccounts(in entries: [StateKey: StateValue]) -> [Address: LiveAccount] {
        var accounts: [Address: LiveAccount] = [:]
        var incarnations: [Address: UInt64] = [:]
        var slots: [(key: StateKey, address: Address, slot: UInt256, value: UInt256)] = []
        let empty = LiveAccount(nonce: 0, balance: .zero, codeHash: EmptyHashes.code, storage: [:])
        for (key, value) in entries {
            switch kind(of: key) {
            case .account?:
                guard let entry = decodeAccountEntry(value) else { continue }
                let address = address(ofAddressKey: key)
                if entry.incarnation != 0 { incarnations[address] = entry.incarnation }
                if entry.isLive {
                    accounts[address, default: empty].nonce = entry.nonce
                    accounts[address, default: empty].codeHash = entry.codeHash
                }
            case .balance?:
                accounts[address(ofAddressKey: key), default: empty].balance = decodeBalance(value) ?? .zero
            case .storage?:
                if let entry = decodeStorage(value) { slots.append((key, entry.address, entry.slot, entry.value)) }
            case .code?, .storageCount?, nil:
                break
            }
        }
        for entry in slots where accounts[entry.address] != nil && !entry.value.isZero {
            let live = storageKey(entry.address, entry.slot, incarnation: incarnations[entry.address] ?? 0)
            if live == entry.key { accounts[entry.address]?.storage[entry.slot] = entry.value }
        }
        return accounts
    }
}
