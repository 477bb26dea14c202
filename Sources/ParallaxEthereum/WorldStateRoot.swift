/// The world state root (Yellow Paper, section 4.1 and appendix D), the
/// `hash` of an ethereum/tests state-test post state.
///
/// The state is the secure trie mapping keccak256(address) to the account's
/// RLP (`AccountState`). An account's storage root is the secure trie
/// mapping keccak256(slot as 32 big-endian bytes) to RLP(the value's minimal
/// big-endian bytes); slots holding zero are absent. Every key of a trie is
/// hashed in one batch on the multi-buffer Keccak kernel.
public enum WorldStateRoot {
    /// An account in full: what its trie entry is computed from.
    public struct Account: Hashable, Sendable {
        public var nonce: UInt64
        public var balance: UInt256
        public var code: [UInt8]
        public var storage: [UInt256: UInt256]

        public init(nonce: UInt64, balance: UInt256, code: [UInt8] = [], storage: [UInt256: UInt256] = [:]) {
            self.nonce = nonce
            self.balance = balance
            self.code = code
            self.storage = storage
        }
    }

    /// The state root of `accounts`.
    public static func compute(accounts: [Address: Account]) -> Bytes32 {
        var addresses = [[UInt8]]()
        var values = [[UInt8]]()
        addresses.reserveCapacity(accounts.count)
        values.reserveCapacity(accounts.count)
        for (address, account) in accounts {
            addresses.append(address.bytes)
            let state = AccountState(
                nonce: account.nonce, balance: account.balance,
                storageRoot: storageRoot(account.storage),
                codeHash: account.code.isEmpty ? EmptyHashes.code : keccak256(account.code))
            values.append(state.rlp)
        }
        return MerklePatriciaTrie.secureRoot(hashedKeys: keccak256Batch(addresses), values: values)
    }

    /// The state root of accounts given as tuples (the shape a state-test
    /// `pre`/`post` section reads into).
    public static func compute(
        accounts: [Address: (nonce: UInt64, balance: UInt256, code: [UInt8], storage: [UInt256: UInt256])]
    ) -> Bytes32 {
        compute(accounts: accounts.mapValues {
            Account(nonce: $0.nonce, balance: $0.balance, code: $0.code, storage: $0.storage)
        })
    }

    /// The storage root of `storage`; zero values are absent.
    public static func storageRoot(_ storage: [UInt256: UInt256]) -> Bytes32 {
        var slots = [[UInt8]]()
        var values = [[UInt8]]()
        slots.reserveCapacity(storage.count)
        values.reserveCapacity(storage.count)
        for (slot, value) in storage where !value.isZero {
            slots.append(slot.bigEndianBytes)
            values.append(RLP.encode(value))
        }
        guard !slots.isEmpty else { return EmptyHashes.trieRoot }
        return MerklePatriciaTrie.secureRoot(hashedKeys: keccak256Batch(slots), values: values)
    }
}
