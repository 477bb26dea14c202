import ParallaxEthereum
import ParallaxTopology

/// The Ethereum world state as tries kept across blocks (Yellow Paper,
/// section 4.1): the secure account trie (keccak256(address) to
/// rlp([nonce, balance, storageRoot, codeHash])) and one secure storage trie
/// per contract (keccak256(slot) to rlp(value), zero values absent).
///
/// Keys come in hashed (`keccak256(address)`, `keccak256(slot)`), as a
/// client's hashed state keeps them. Changes are buffered until `commit`,
/// which hashes the storage tries that changed (all of them together, in
/// parallel on the hasher's pool), writes the changed accounts with their
/// new storage roots, then hashes the account trie: work proportional to the
/// paths the block changed.
public final class StateTrie: @unchecked Sendable {
    /// An account's own fields; its storage root comes from its storage trie.
    public struct Account: Hashable, Sendable {
        public var nonce: UInt64
        public var balance: UInt256
        public var codeHash: Bytes32

        public init(nonce: UInt64, balance: UInt256, codeHash: Bytes32 = EmptyHashes.code) {
            self.nonce = nonce
            self.balance = balance
            self.codeHash = codeHash
        }
    }

    /// The account trie.
    public let accounts: HexaryTrie
    /// Storage tries by hashed address (accounts without storage have none).
    @exclusivity(unchecked) public private(set) var storageTries: [Bytes32: HexaryTrie]
    public let hasher: TrieHasher
    /// The state root after the last `commit` (or build).
    @exclusivity(unchecked) public private(set) var rootHash: Bytes32
    /// With `hasher.recordNodes`: the nodes the last commit hashed, every
    /// trie's, to be written to a node store.
    @exclusivity(unchecked) public private(set) var lastCommitNodes: [(hash: Bytes32, rlp: [UInt8])] = []
    /// Nodes hashed by the last commit, storage and account tries together.
    @exclusivity(unchecked) public private(set) var lastCommitNodesHashed = 0

    @exclusivity(unchecked) private var pending: [Bytes32: Account] = [:]
    @exclusivity(unchecked) private var deleted: Set<Bytes32> = []
    @exclusivity(unchecked) private var dirtyStorage: Set<Bytes32> = []

    /// The empty state.
    public init(hasher: TrieHasher) {
        self.hasher = hasher
        accounts = HexaryTrie()
        storageTries = [:]
        rootHash = EmptyHashes.trieRoot
    }

    init(hasher: TrieHasher, accounts: HexaryTrie, storageTries: [Bytes32: HexaryTrie], rootHash: Bytes32) {
        self.hasher = hasher
        self.accounts = accounts
        self.storageTries = storageTries
        self.rootHash = rootHash
    }

    /// One account of a state built from scratch.
    public struct Entry: Sendable {
        public var hashedAddress: Bytes32
        public var account: Account
        /// (keccak256(slot), value); zero values are absent.
        public var storage: [(hashedSlot: Bytes32, value: UInt256)]

        public init(hashedAddress: Bytes32, account: Account, storage: [(hashedSlot: Bytes32, value: UInt256)] = []) {
            self.hashedAddress = hashedAddress
            self.account = account
            self.storage = storage
        }
    }

    /// Builds the tries of `entries` from scratch (sorted keys, one pass per
    /// trie) and hashes them: every storage trie in one parallel pass, then
    /// the account trie.
    public static func build(_ entries: [Entry], hasher: TrieHasher) -> StateTrie {
        var tries: [HexaryTrie] = []
        var owners: [Bytes32] = []
        var storage: [Bytes32: HexaryTrie] = [:]
        var recorded: [(hash: Bytes32, rlp: [UInt8])] = []
        for entry in entries where !entry.storage.isEmpty {
            var batch = TrieEntryBatch(reservingCapacity: entry.storage.count, valueBytes: 33 * entry.storage.count)
            for (slot, value) in entry.storage where !value.isZero { batch.appendStorageValue(key: slot, value) }
            guard batch.count > 0 else { continue }
            let trie = HexaryTrie.build(batch, pool: hasher.pool)
            tries.append(trie)
            owners.append(entry.hashedAddress)
            storage[entry.hashedAddress] = trie
        }
        var hashed = 0
        let storageRoots = hasher.hash(tries)
        hashed += hasher.nodesHashed
        if hasher.recordNodes { recorded += hasher.recorded }
        // Each entry's storage root, by entry position (-1: none).
        var rootIndex = [Int32](repeating: -1, count: entries.count)
        if !owners.isEmpty {
            var positionOf: [Bytes32: Int] = [:]
            for (position, entry) in entries.enumerated() where !entry.storage.isEmpty { positionOf[entry.hashedAddress] = position }
            for (k, owner) in owners.enumerated() { if let position = positionOf[owner] { rootIndex[position] = Int32(k) } }
        }
        let batch = accountBatch(entries, storageRoots: storageRoots, rootIndex: rootIndex, pool: hasher.pool)
        let accountTrie = HexaryTrie.build(batch, pool: hasher.pool)
        let root = hasher.hash([accountTrie])[0]
        hashed += hasher.nodesHashed
        if hasher.recordNodes { recorded += hasher.recorded }
        let state = StateTrie(hasher: hasher, accounts: accountTrie, storageTries: storage, rootHash: root)
        state.lastCommitNodes = recorded
        state.lastCommitNodesHashed = hashed
        return state
    }

    /// The account trie's entries, RLP-encoded in parallel: each account's
    /// length first, then every account written at its offset.
    static func accountBatch(_ entries: [Entry], storageRoots: [Bytes32], rootIndex: [Int32], pool: WorkerPool?) -> TrieEntryBatch {
        let n = entries.count
        let ends = SharedBuffer<Int>(max(1, n))
        HexaryTrie.parallelFor(pool, n) { range in
            for position in range {
                let account = entries[position].account
                ends.pointer[position] = 2 + rlpLength(UInt256(account.nonce)) + rlpLength(account.balance) + 66
            }
        }
        var total = 0
        for position in 0..<n {
            total += ends.pointer[position]
            ends.pointer[position] = total
        }
        let valueBytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            let out = SharedPointer(UnsafeMutableRawPointer(buffer.baseAddress))
            HexaryTrie.parallelFor(pool, n) { range in
                for position in range {
                    let start = position == 0 ? 0 : ends.pointer[position - 1]
                    let index = rootIndex[position]
                    _ = writeAccount(entries[position].account,
                                     storageRoot: index < 0 ? EmptyHashes.trieRoot : storageRoots[Int(index)],
                                     to: out.pointer! + start)
                }
            }
            count = total
        }
        return TrieEntryBatch(keys: entries.map(\.hashedAddress), valueBytes: valueBytes,
                              valueEnds: Array(UnsafeBufferPointer(start: ends.pointer.baseAddress, count: n)))
    }

    /// Bytes of rlp(value) for an integer.
    @inline(__always)
    static func rlpLength(_ value: UInt256) -> Int {
        if value.l3 == 0 && value.l2 == 0 && value.l1 == 0 && value.l0 < 0x80 { return 1 }
        let bits = value.l3 != 0 ? 192 + 64 - value.l3.leadingZeroBitCount
            : value.l2 != 0 ? 128 + 64 - value.l2.leadingZeroBitCount
            : value.l1 != 0 ? 64 + 64 - value.l1.leadingZeroBitCount
            : 64 - value.l0.leadingZeroBitCount
        return 1 + (bits + 7) / 8
    }

    // MARK: Changes

    /// Creates or changes an account's own fields (its storage is kept).
    public func setAccount(_ hashedAddress: Bytes32, _ account: Account) {
        pending[hashedAddress] = account
        deleted.remove(hashedAddress)
    }

    /// Deletes an account and its storage.
    public func deleteAccount(_ hashedAddress: Bytes32) {
        pending[hashedAddress] = nil
        dirtyStorage.remove(hashedAddress)
        storageTries[hashedAddress] = nil
        deleted.insert(hashedAddress)
    }

    /// Writes a storage slot (zero deletes it). The account must exist at
    /// `commit` (in the trie or set in the same block).
    public func setStorage(_ hashedAddress: Bytes32, slot hashedSlot: Bytes32, value: UInt256) {
        let trie: HexaryTrie
        if let existing = storageTries[hashedAddress] {
            trie = existing
        } else {
            guard !value.isZero else { return }
            trie = HexaryTrie()
            storageTries[hashedAddress] = trie
        }
        withUnsafeTemporaryAllocation(byteCount: 32 + 33, alignment: 8) { buffer in
            hashedSlot.store(to: buffer.baseAddress!)
            let length = StateTrie.writeRLP(value, to: buffer.baseAddress! + 32)
            let key = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: 32)
            if value.isZero {
                trie.delete(key: key)
            } else {
                // A 32-byte key and a value under 34 bytes are always accepted.
                try? trie.update(key: key, value: UnsafeRawBufferPointer(start: buffer.baseAddress! + 32, count: length))
            }
        }
        dirtyStorage.insert(hashedAddress)
    }

    /// An account as the trie (with this block's changes not yet committed
    /// left out) holds it: its fields and storage root.
    public func committedAccount(_ hashedAddress: Bytes32) throws(TrieError) -> (Account, storageRoot: Bytes32)? {
        guard let value = accounts.value(forKey: hashedAddress.bytes) else { return nil }
        return try StateTrie.decodeAccount(value, key: hashedAddress)
    }

    /// Applies the buffered changes and returns the new state root.
    public func commit() throws(TrieError) -> Bytes32 {
        var recorded: [(hash: Bytes32, rlp: [UInt8])] = []
        var hashed = 0
        // Storage tries first: the accounts' leaves hold their roots.
        let owners = Array(dirtyStorage)
        var storageRoots: [Bytes32: Bytes32] = [:]
        if !owners.isEmpty {
            let tries = owners.map { storageTries[$0]! }
            let roots = hasher.hash(tries)
            hashed += hasher.nodesHashed
            if hasher.recordNodes { recorded += hasher.recorded }
            for (owner, root) in zip(owners, roots) {
                storageRoots[owner] = root
                if storageTries[owner]!.count == 0 { storageTries[owner] = nil }
            }
        }
        for owner in deleted { _ = owner.withKeyBytes { accounts.delete(key: $0) } }
        var changed = Set(pending.keys)
        changed.formUnion(owners)
        for owner in changed {
            let account: Account
            if let fields = pending[owner] {
                account = fields
            } else if let (existing, _) = try committedAccount(owner) {
                account = existing
            } else {
                throw .missingAccount(owner)
            }
            let storageRoot = storageRoots[owner] ?? storageTries[owner]?.cleanRootHash ?? EmptyHashes.trieRoot
            var failure: TrieError? = nil
            withUnsafeTemporaryAllocation(byteCount: 32 + 128, alignment: 8) { buffer in
                owner.store(to: buffer.baseAddress!)
                let length = StateTrie.writeAccount(account, storageRoot: storageRoot, to: buffer.baseAddress! + 32)
                do throws(TrieError) {
                    try accounts.update(key: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: 32),
                                        value: UnsafeRawBufferPointer(start: buffer.baseAddress! + 32, count: length))
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        pending = [:]
        deleted = []
        dirtyStorage = []
        rootHash = hasher.hash([accounts])[0]
        hashed += hasher.nodesHashed
        if hasher.recordNodes { recorded += hasher.recorded }
        lastCommitNodes = recorded
        lastCommitNodesHashed = hashed
        return rootHash
    }

    // MARK: Encoding

    /// rlp(value) for a storage slot: the minimal big-endian bytes as an RLP
    /// string (at most 33 bytes).
    @inline(__always)
    static func writeRLP(_ value: UInt256, to out: UnsafeMutableRawPointer) -> Int {
        let p = out.assumingMemoryBound(to: UInt8.self)
        let limbs = (value.l3, value.l2, value.l1, value.l0)
        @inline(__always) func limb(_ i: Int) -> UInt64 {
            switch i { case 0: limbs.0; case 1: limbs.1; case 2: limbs.2; default: limbs.3 }
        }
        var top = 0
        while top < 4 && limb(top) == 0 { top += 1 }
        if top == 4 { p[0] = 0x80; return 1 }
        let leading = limb(top).leadingZeroBitCount / 8
        let count = (4 - top) * 8 - leading
        if count == 1 && value.l0 < 0x80 { p[0] = UInt8(value.l0); return 1 }
        p[0] = 0x80 + UInt8(count)
        var at = 1
        for i in top..<4 {
            let word = limb(i)
            for byte in (i == top ? leading : 0)..<8 {
                p[at] = UInt8(truncatingIfNeeded: word >> (56 - 8 * byte))
                at += 1
            }
        }
        return at
    }

    /// rlp([nonce, balance, storageRoot, codeHash]) (at most 2 + 9 + 33 + 33 + 33 bytes).
    static func writeAccount(_ account: Account, storageRoot: Bytes32, to out: UnsafeMutableRawPointer) -> Int {
        // Fields at offset 2, then the header moved in front of them.
        var at = 2 + writeRLP(UInt256(account.nonce), to: out + 2)
        at += writeRLP(account.balance, to: out + at)
        out.storeBytes(of: 0xA0, toByteOffset: at, as: UInt8.self)
        storageRoot.store(to: out + at + 1)
        out.storeBytes(of: 0xA0, toByteOffset: at + 33, as: UInt8.self)
        account.codeHash.store(to: out + at + 34)
        let payload = at + 66 - 2
        if payload <= 55 {
            out.storeBytes(of: 0xC0 + UInt8(payload), toByteOffset: 1, as: UInt8.self)
            // Never taken for real accounts (the two hashes alone are 66 bytes).
            let p = out.assumingMemoryBound(to: UInt8.self)
            for index in 0...payload { p[index] = p[index + 1] }
            return payload + 1
        }
        out.storeBytes(of: 0xF8, toByteOffset: 0, as: UInt8.self)
        out.storeBytes(of: UInt8(payload), toByteOffset: 1, as: UInt8.self)
        return payload + 2
    }

    static func decodeAccount(_ value: [UInt8], key: Bytes32) throws(TrieError) -> (Account, storageRoot: Bytes32) {
        let item: RLPItem
        do { item = try RLP.decode(value) } catch { throw .malformedAccount(key, "\(error)") }
        guard let fields = item.listValue, fields.count == 4,
              let nonceBytes = fields[0].bytesValue, nonceBytes.count <= 8,
              let balanceBytes = fields[1].bytesValue, balanceBytes.count <= 32,
              let rootBytes = fields[2].bytesValue, let storageRoot = Bytes32(bytes: rootBytes),
              let codeBytes = fields[3].bytesValue, let codeHash = Bytes32(bytes: codeBytes),
              let balance = UInt256(bigEndianBytes: balanceBytes)
        else { throw .malformedAccount(key, "not rlp([nonce, balance, storageRoot, codeHash])") }
        let nonce = nonceBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (Account(nonce: nonce, balance: balance, codeHash: codeHash), storageRoot)
    }
}

extension Bytes32 {
    func withKeyBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { buffer in
            store(to: buffer.baseAddress!)
            return body(UnsafeRawBufferPointer(buffer))
        }
    }
}

extension TrieEntryBatch {
    /// Adds a storage slot: keccak256(slot) to rlp(value).
    public mutating func appendStorageValue(key: Bytes32, _ value: UInt256) {
        withUnsafeTemporaryAllocation(byteCount: 33, alignment: 8) { buffer in
            let length = StateTrie.writeRLP(value, to: buffer.baseAddress!)
            append(key: key, value: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: length))
        }
    }

    /// Adds an account: keccak256(address) to rlp([nonce, balance, storageRoot, codeHash]).
    public mutating func appendAccount(key: Bytes32, _ account: StateTrie.Account, storageRoot: Bytes32) {
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { buffer in
            let length = StateTrie.writeAccount(account, storageRoot: storageRoot, to: buffer.baseAddress!)
            append(key: key, value: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: length))
        }
    }
}

/// A raw pointer the workers of one call write disjoint bytes through.
struct SharedPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer?
    init(_ pointer: UnsafeMutableRawPointer?) { self.pointer = pointer }
}
