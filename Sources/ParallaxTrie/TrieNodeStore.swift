import ParallaxEthereum
import ParallaxExecution
import ParallaxState

/// Trie nodes kept durably in a `StateStore` (in memory or LMDB): each node
/// whose RLP is 32 bytes or more, and each root, under its Keccak-256 as the
/// 32-byte state key, its RLP as the value (the content-addressed layout of
/// geth's hash scheme). Nodes under 32 bytes live inside their parents.
///
/// A block's new nodes (`StateTrie.lastCommitNodes`, with
/// `hasher.recordNodes` set) are one store commit at the store's next
/// height, together with the state root under `rootKey`; LMDB makes that
/// all-or-nothing across a crash. Old nodes are never deleted (no pruning:
/// every committed root stays loadable).
public enum TrieNodeStore {
    /// Where the last written state root is kept ("parallax-trie-root"
    /// in ASCII, zero-padded: no Keccak-256 output is expected to equal it).
    public static let rootKey = StateKey(0x7061_7261_6c6c_6178, 0x2d74_7269_652d_726f, 0x6f74_0000_0000_0000, 0)

    /// The state key of the node with hash `hash`.
    public static func key(_ hash: Bytes32) -> StateKey { StateKey(hash.w0, hash.w1, hash.w2, hash.w3) }

    /// Writes `nodes` and `root` to `store` as its next block; returns that height.
    @discardableResult
    public static func write(_ nodes: [(hash: Bytes32, rlp: [UInt8])], root: Bytes32, to store: any StateStore)
        throws(TrieError) -> BlockHeight
    {
        var writes: [StateWrite] = []
        writes.reserveCapacity(nodes.count + 1)
        var seen = Set<Bytes32>()
        for node in nodes where seen.insert(node.hash).inserted {
            writes.append(StateWrite(key: key(node.hash), value: StateValue(node.rlp)))
        }
        writes.append(StateWrite(key: rootKey, value: StateValue(root.bytes)))
        let height = store.height.next
        do {
            try store.commit(StateDelta(writes: writes), height: height, expectedRoot: nil)
        } catch {
            throw .store("\(error)")
        }
        return height
    }

    /// The state root last written to `view`, nil when none was.
    public static func storedRoot(in view: any StateView) -> Bytes32? {
        view.read(rootKey).flatMap { Bytes32(bytes: $0.bytes) }
    }

    /// The trie with root `root`, read node by node from `view` (all nodes clean).
    public static func loadTrie(root: Bytes32, from view: any StateView) throws(TrieError) -> HexaryTrie {
        let trie = HexaryTrie()
        guard root != EmptyHashes.trieRoot else { return trie }
        let rlp = try fetch(root, from: view)
        var loader = Loader(trie: trie, view: view)
        let index = try loader.load(rlp: rlp, reference: .hash(root), prefix: [])
        trie.root = index
        return trie
    }

    /// The whole state with root `root`: the account trie and every storage trie its accounts name.
    public static func loadState(root: Bytes32, from view: any StateView, hasher: TrieHasher) throws(TrieError) -> StateTrie {
        let accounts = try loadTrie(root: root, from: view)
        var storage: [Bytes32: HexaryTrie] = [:]
        for entry in 0..<UInt32(accounts.keyOffset.count) where accounts.valueLength[Int(entry)] > 0 {
            let keyBytes = accounts.keyArray(entry)
            guard let owner = Bytes32(bytes: keyBytes) else {
                throw .malformedNode(root, "an account key of \(keyBytes.count) bytes")
            }
            let (_, storageRoot) = try StateTrie.decodeAccount(accounts.valueArray(entry), key: owner)
            if storageRoot != EmptyHashes.trieRoot { storage[owner] = try loadTrie(root: storageRoot, from: view) }
        }
        return StateTrie(hasher: hasher, accounts: accounts, storageTries: storage, rootHash: root)
    }

    static func fetch(_ hash: Bytes32, from view: any StateView) throws(TrieError) -> [UInt8] {
        guard let value = view.read(key(hash)) else { throw .missingNode(hash) }
        let bytes = value.bytes
        guard keccak256(bytes) == hash else { throw .malformedNode(hash, "its bytes hash to \(keccak256(bytes))") }
        return bytes
    }

    enum Reference {
        case hash(Bytes32)
        case inline([UInt8])
    }

    struct Loader {
        let trie: HexaryTrie
        let view: any StateView

        /// Adds the node `rlp` (reached through nibbles `prefix`) and its
        /// subtree; returns its index, its reference set (clean).
        mutating func load(rlp: [UInt8], reference: Reference, prefix: [UInt8]) throws(TrieError) -> UInt32 {
            let name: Bytes32
            switch reference {
            case .hash(let hash): name = hash
            case .inline(let bytes): name = keccak256(bytes)
            }
            let item: RLPItem
            do { item = try RLP.decode(rlp) } catch { throw .malformedNode(name, "\(error)") }
            guard let fields = item.listValue else { throw .malformedNode(name, "not a list") }
            let index: UInt32
            switch fields.count {
            case 2:
                guard let encodedPath = fields[0].bytesValue, let first = encodedPath.first, first >> 4 <= 3 else {
                    throw .malformedNode(name, "no hex-prefix path")
                }
                var path: [UInt8] = []
                if first & 0x10 != 0 { path.append(first & 0x0F) }
                for byte in encodedPath.dropFirst() { path.append(byte >> 4); path.append(byte & 0x0F) }
                let depth = prefix.count
                let full = prefix + path
                if first & 0x20 != 0 {
                    guard let value = fields[1].bytesValue, !value.isEmpty, full.count % 2 == 0 else {
                        throw .malformedNode(name, "a leaf without a value or with an odd key")
                    }
                    let key = stride(from: 0, to: full.count, by: 2).map { full[$0] << 4 | full[$0 + 1] }
                    let entry = key.withUnsafeBytes { k in value.withUnsafeBytes { v in trie.newEntry(k, v) } }
                    index = trie.newLeaf(entry: entry, depth: depth)
                    trie.count += 1
                } else {
                    guard !path.isEmpty else { throw .malformedNode(name, "an extension with an empty path") }
                    let child = try loadChild(fields[1], prefix: full, parent: name)
                    guard child != TrieNode.none, trie.nodes[Int(child)].kind == TrieNode.branch else {
                        throw .malformedNode(name, "an extension not above a branch")
                    }
                    index = trie.allocateNode(TrieNode(kind: TrieNode.extension_, depth: depth, pathLength: path.count,
                                                       link: child, keyRef: trie.nodes[Int(child)].keyRef))
                }
            case 17:
                var children: [UInt32] = []
                var keyRef = TrieNode.none
                for digit in 0..<16 {
                    let child = try loadChild(fields[digit], prefix: prefix + [UInt8(digit)], parent: name)
                    children.append(child)
                    if keyRef == TrieNode.none && child != TrieNode.none { keyRef = trie.nodes[Int(child)].keyRef }
                }
                guard let value = fields[16].bytesValue else { throw .malformedNode(name, "a branch value that is a list") }
                var valueEntry = TrieNode.none
                if !value.isEmpty {
                    guard prefix.count % 2 == 0 else { throw .malformedNode(name, "a branch value at an odd depth") }
                    let key = stride(from: 0, to: prefix.count, by: 2).map { prefix[$0] << 4 | prefix[$0 + 1] }
                    valueEntry = key.withUnsafeBytes { k in value.withUnsafeBytes { v in trie.newEntry(k, v) } }
                    trie.count += 1
                    keyRef = valueEntry
                }
                guard keyRef != TrieNode.none else { throw .malformedNode(name, "an empty branch") }
                index = trie.newBranch(depth: prefix.count, keyRef: keyRef)
                let slot = 17 * Int(trie.nodes[Int(index)].link)
                for digit in 0..<16 { trie.branches[slot + digit] = children[digit] }
                trie.branches[slot + 16] = valueEntry
            default:
                throw .malformedNode(name, "a list of \(fields.count) items")
            }
            let node = trie.nodes.base + Int(index)
            switch reference {
            case .hash(let hash):
                hash.store(to: UnsafeMutableRawPointer(node))
                node.pointee.refLength = 32
            case .inline(let bytes):
                UnsafeMutableRawPointer(node).copyMemory(from: bytes, byteCount: bytes.count)
                node.pointee.refLength = UInt8(bytes.count)
            }
            return index
        }

        mutating func loadChild(_ item: RLPItem, prefix: [UInt8], parent: Bytes32) throws(TrieError) -> UInt32 {
            switch item {
            case .bytes(let bytes) where bytes.isEmpty:
                return TrieNode.none
            case .bytes(let bytes):
                guard let hash = Bytes32(bytes: bytes) else {
                    throw .malformedNode(parent, "a child reference of \(bytes.count) bytes")
                }
                return try load(rlp: try TrieNodeStore.fetch(hash, from: view), reference: .hash(hash), prefix: prefix)
            case .list:
                let rlp = RLP.encode(item)
                guard rlp.count < 32 else { throw .malformedNode(parent, "an inline child of \(rlp.count) bytes") }
                return try load(rlp: rlp, reference: .inline(rlp), prefix: prefix)
            }
        }
    }
}
