import ParallaxEthereum
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A Merkle Patricia Trie (Yellow Paper, appendix D) kept in memory across
/// blocks: its nodes live in flat arenas addressed by 32-bit indices, each
/// node caching its reference (its RLP when that is under 32 bytes, else
/// its Keccak-256), so a block's root costs work proportional to the paths
/// the block changed.
///
/// ## Layout
/// - `nodes`: 48-byte `TrieNode`s (kind, nibble depth, cached reference);
///   freed slots are reused through a free list.
/// - `branches`: 17 words per branch: the 16 child node indices
///   (`TrieNode.none` for no child), then the entry of the key that ends at
///   the branch (only for keys of different lengths; never in a secure trie).
/// - entries: each key ever inserted, its bytes appended once to `keyBytes`
///   and never moved or freed, and its current value in `valueBytes`. A
///   leaf's path is its entry's key from the leaf's depth on, and an
///   extension's path is read from the key of any entry below it
///   (`keyRef`): a key's bytes stay valid after its entry is deleted, and
///   every key that ever ran through a node agrees with the node's path.
///
/// ## Dirty paths
/// A node whose `refLength` is 0 has no valid reference: every update clears
/// it on each node of the path it walks, so the dirty nodes always form a
/// tree hanging from the root, which `TrieHasher` hashes bottom-up, level by
/// level, and marks clean.
///
/// ## Threads
/// Updates are single-threaded. While `TrieHasher` runs, nothing grows the
/// arenas and each worker writes only the references of the nodes of its
/// own subtries.
public final class HexaryTrie: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var nodes = TrieBuffer<TrieNode>(capacity: 64)
    @exclusivity(unchecked) @usableFromInline var branches = TrieBuffer<UInt32>(capacity: 17 * 16)
    @exclusivity(unchecked) @usableFromInline var keyOffset = TrieBuffer<Int>(capacity: 64)
    @exclusivity(unchecked) @usableFromInline var keyLength = TrieBuffer<UInt16>(capacity: 64)
    @exclusivity(unchecked) @usableFromInline var valueOffset = TrieBuffer<Int>(capacity: 64)
    @exclusivity(unchecked) @usableFromInline var valueLength = TrieBuffer<UInt32>(capacity: 64)
    @exclusivity(unchecked) @usableFromInline var keyBytes = TrieBuffer<UInt8>(capacity: 1024)
    @exclusivity(unchecked) @usableFromInline var valueBytes = TrieBuffer<UInt8>(capacity: 1024)
    @exclusivity(unchecked) var freeNodes: [UInt32] = []
    @exclusivity(unchecked) var freeBranches: [UInt32] = []
    /// Node slots a parallel build reserved and did not use (never reused).
    @exclusivity(unchecked) var unusedNodeSlots = 0
    /// Value bytes no live entry points to any more (compacted when they
    /// outgrow the live ones).
    @exclusivity(unchecked) var garbageValueBytes = 0
    /// The root node; `TrieNode.none` for the empty trie.
    @exclusivity(unchecked) @usableFromInline var root: UInt32 = TrieNode.none
    /// Live keys.
    @exclusivity(unchecked) public internal(set) var count = 0

    /// Keys longer than this many bytes are refused (nibble depths are 16-bit).
    public static let maximumKeyLength = 4096

    /// An empty trie.
    public init() {}

    deinit {
        nodes.deallocate(); branches.deallocate()
        keyOffset.deallocate(); keyLength.deallocate(); valueOffset.deallocate(); valueLength.deallocate()
        keyBytes.deallocate(); valueBytes.deallocate()
    }

    /// Live nodes (leaves, extensions and branches).
    public var nodeCount: Int { nodes.count - freeNodes.count - unusedNodeSlots }

    /// Bytes held by the arenas (what the trie costs in memory).
    public var allocatedBytes: Int {
        nodes.capacity * MemoryLayout<TrieNode>.stride + branches.capacity * 4
            + keyOffset.capacity * 8 + keyLength.capacity * 2 + valueOffset.capacity * 8 + valueLength.capacity * 4
            + keyBytes.capacity + valueBytes.capacity
    }

    /// Whether every node's reference is current (no update since the last hashing).
    public var isClean: Bool { root == TrieNode.none || nodes[Int(root)].refLength != 0 }

    // MARK: Updates

    /// Sets `key` to `value`; an empty value deletes the key (the trie
    /// cannot hold empty values).
    public func update(key: some Collection<UInt8>, value: some Collection<UInt8>) throws(TrieError) {
        let keyArray = Array(key), valueArray = Array(value)
        let failure: TrieError? = keyArray.withUnsafeBytes { k in
            valueArray.withUnsafeBytes { v in
                do throws(TrieError) {
                    try update(key: k, value: v)
                    return nil
                } catch {
                    return error
                }
            }
        }
        if let failure { throw failure }
    }

    /// Sets `key` to `value` (bytes read in place); an empty value deletes.
    public func update(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(TrieError) {
        guard key.count <= HexaryTrie.maximumKeyLength else { throw .keyTooLong(key.count) }
        if value.isEmpty { delete(key: key); return }
        guard value.count <= Int(UInt32.max) else { throw .valueTooLong(value.count) }
        if root == TrieNode.none {
            root = newLeaf(entry: newEntry(key, value), depth: 0)
            count += 1
            return
        }
        root = insert(at: root, key: key, value: value)
    }

    /// Deletes `key` (nothing when absent); returns whether it was present.
    @discardableResult
    public func delete(key: UnsafeRawBufferPointer) -> Bool {
        guard root != TrieNode.none, key.count <= HexaryTrie.maximumKeyLength else { return false }
        let (replacement, removed) = remove(at: root, key: key)
        if removed {
            root = replacement
            count -= 1
        }
        return removed
    }

    /// The value stored under `key`, nil when absent.
    public func value(forKey key: some Collection<UInt8>) -> [UInt8]? {
        Array(key).withUnsafeBytes { k in
            var index = root
            while index != TrieNode.none {
                let node = nodes[Int(index)]
                switch node.kind {
                case TrieNode.leaf:
                    return keyEquals(entry: node.link, k) ? valueArray(node.link) : nil
                case TrieNode.extension_:
                    let end = Int(node.depth) + Int(node.pathLength)
                    guard 2 * k.count >= end, sharedNibbles(entry: node.keyRef, k, from: Int(node.depth), to: end) == end else {
                        return nil
                    }
                    index = node.link
                default:
                    let depth = Int(node.depth)
                    if 2 * k.count == depth {
                        let entry = branches[17 * Int(node.link) + 16]
                        return entry == TrieNode.none ? nil : valueArray(entry)
                    }
                    index = branches[17 * Int(node.link) + Int(HexaryTrie.nibble(k, depth))]
                }
            }
            return nil
        }
    }

    // MARK: Entries

    @inline(__always)
    static func nibble(_ key: UnsafeRawBufferPointer, _ index: Int) -> UInt8 {
        let byte = key[index >> 1]
        return index & 1 == 0 ? byte >> 4 : byte & 0x0F
    }

    @inline(__always)
    func keyNibble(_ entry: UInt32, _ index: Int) -> UInt8 {
        let byte = keyBytes[keyOffset[Int(entry)] + index >> 1]
        return index & 1 == 0 ? byte >> 4 : byte & 0x0F
    }

    @inline(__always)
    func keyNibbleCount(_ entry: UInt32) -> Int { 2 * Int(keyLength[Int(entry)]) }

    func newEntry(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> UInt32 {
        let entry = keyOffset.count
        let keyStart = keyBytes.appendUninitialized(key.count)
        if !key.isEmpty { UnsafeMutableRawPointer(keyBytes.base + keyStart).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        keyOffset.append(keyStart)
        keyLength.append(UInt16(key.count))
        valueOffset.append(0)
        valueLength.append(0)
        setValue(UInt32(entry), value)
        return UInt32(entry)
    }

    func setValue(_ entry: UInt32, _ value: UnsafeRawBufferPointer) {
        garbageValueBytes += Int(valueLength[Int(entry)])
        let start = valueBytes.appendUninitialized(value.count)
        UnsafeMutableRawPointer(valueBytes.base + start).copyMemory(from: value.baseAddress!, byteCount: value.count)
        valueOffset[Int(entry)] = start
        valueLength[Int(entry)] = UInt32(value.count)
    }

    func dropValue(_ entry: UInt32) {
        garbageValueBytes += Int(valueLength[Int(entry)])
        valueLength[Int(entry)] = 0
    }

    func valueArray(_ entry: UInt32) -> [UInt8] {
        Array(UnsafeBufferPointer(start: valueBytes.base + valueOffset[Int(entry)], count: Int(valueLength[Int(entry)])))
    }

    /// The key of `entry`.
    func keyArray(_ entry: UInt32) -> [UInt8] {
        Array(UnsafeBufferPointer(start: keyBytes.base + keyOffset[Int(entry)], count: Int(keyLength[Int(entry)])))
    }

    func keyEquals(entry: UInt32, _ key: UnsafeRawBufferPointer) -> Bool {
        guard Int(keyLength[Int(entry)]) == key.count else { return false }
        guard !key.isEmpty else { return true }
        return memcmp(keyBytes.base + keyOffset[Int(entry)], key.baseAddress!, key.count) == 0
    }

    /// The first nibble index in `from..<to` where `entry`'s key and `key`
    /// differ, or `to` (both keys must have at least `to` nibbles).
    func sharedNibbles(entry: UInt32, _ key: UnsafeRawBufferPointer, from: Int, to: Int) -> Int {
        var index = from
        while index < to && keyNibble(entry, index) == HexaryTrie.nibble(key, index) { index += 1 }
        return index
    }

    // MARK: Node allocation

    func allocateNode(_ node: TrieNode) -> UInt32 {
        if let slot = freeNodes.popLast() {
            nodes[Int(slot)] = node
            return slot
        }
        return UInt32(nodes.append(node))
    }

    func newLeaf(entry: UInt32, depth: Int) -> UInt32 {
        allocateNode(TrieNode(kind: TrieNode.leaf, depth: depth, pathLength: 0, link: entry, keyRef: entry))
    }

    /// A branch node at `depth` with no children yet.
    func newBranch(depth: Int, keyRef: UInt32) -> UInt32 {
        let slot: UInt32
        if let free = freeBranches.popLast() {
            slot = free
        } else {
            slot = UInt32(branches.appendUninitialized(17) / 17)
        }
        (branches.base + 17 * Int(slot)).initialize(repeating: TrieNode.none, count: 17)
        return allocateNode(TrieNode(kind: TrieNode.branch, depth: depth, pathLength: 0, link: slot, keyRef: keyRef))
    }

    func freeNode(_ index: UInt32) {
        if nodes[Int(index)].kind == TrieNode.branch { freeBranches.append(nodes[Int(index)].link) }
        nodes[Int(index)].kind = TrieNode.free
        freeNodes.append(index)
    }

    @inline(__always)
    func child(_ branch: UInt32, _ digit: Int) -> UInt32 { branches[17 * Int(nodes[Int(branch)].link) + digit] }

    @inline(__always)
    func setChild(_ branch: UInt32, _ digit: Int, _ node: UInt32) { branches[17 * Int(nodes[Int(branch)].link) + digit] = node }

    @inline(__always)
    func markDirty(_ index: UInt32) { nodes[Int(index)].refLength = 0 }

    // MARK: Insert

    /// Inserts or updates under the subtrie at `index`; returns the node now
    /// at that position.
    private func insert(at index: UInt32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> UInt32 {
        markDirty(index)
        let node = nodes[Int(index)]
        let depth = Int(node.depth)
        let keyNibbles = 2 * key.count
        switch node.kind {
        case TrieNode.leaf:
            let entry = node.link
            if keyEquals(entry: entry, key) {
                setValue(entry, value)
                return index
            }
            let limit = min(keyNibbleCount(entry), keyNibbles)
            let split = sharedNibbles(entry: entry, key, from: depth, to: limit)
            let newEntry = newEntry(key, value)
            count += 1
            let branch = newBranch(depth: split, keyRef: entry)
            // The old leaf: the branch's value when its key ends at the split, else a child.
            if keyNibbleCount(entry) == split {
                branches[17 * Int(nodes[Int(branch)].link) + 16] = entry
                freeNode(index)
            } else {
                nodes[Int(index)].depth = UInt16(split + 1)
                setChild(branch, Int(keyNibble(entry, split)), index)
            }
            attach(entry: newEntry, key: key, to: branch, at: split)
            return wrap(branch, from: depth, to: split, keyRef: entry)
        case TrieNode.extension_:
            let end = depth + Int(node.pathLength)
            let split = sharedNibbles(entry: node.keyRef, key, from: depth, to: min(end, keyNibbles))
            if split == end {
                let child = insert(at: node.link, key: key, value: value)
                nodes[Int(index)].link = child
                return index
            }
            let branch = newBranch(depth: split, keyRef: node.keyRef)
            let digit = Int(keyNibble(node.keyRef, split))
            if end - split - 1 > 0 {
                // The rest of the extension hangs under the branch.
                nodes[Int(index)].depth = UInt16(split + 1)
                nodes[Int(index)].pathLength = UInt16(end - split - 1)
                setChild(branch, digit, index)
            } else {
                setChild(branch, digit, node.link)
                freeNode(index)
            }
            let newEntry = newEntry(key, value)
            count += 1
            attach(entry: newEntry, key: key, to: branch, at: split)
            return wrap(branch, from: depth, to: split, keyRef: node.keyRef)
        default:
            let slot = 17 * Int(node.link)
            if keyNibbles == depth {
                let existing = branches[slot + 16]
                if existing != TrieNode.none && keyEquals(entry: existing, key) {
                    setValue(existing, value)
                } else {
                    branches[slot + 16] = newEntry(key, value)
                    count += 1
                }
                return index
            }
            let digit = Int(HexaryTrie.nibble(key, depth))
            let child = branches[slot + digit]
            if child == TrieNode.none {
                let entry = newEntry(key, value)
                count += 1
                let leaf = newLeaf(entry: entry, depth: depth + 1)
                branches[17 * Int(nodes[Int(index)].link) + digit] = leaf
            } else {
                let replacement = insert(at: child, key: key, value: value)
                branches[17 * Int(nodes[Int(index)].link) + digit] = replacement
            }
            return index
        }
    }

    /// Puts a new entry's key under `branch` (at nibble `depth`): as its value
    /// when the key ends there, else as a leaf child.
    private func attach(entry: UInt32, key: UnsafeRawBufferPointer, to branch: UInt32, at depth: Int) {
        if 2 * key.count == depth {
            branches[17 * Int(nodes[Int(branch)].link) + 16] = entry
        } else {
            let leaf = newLeaf(entry: entry, depth: depth + 1)
            setChild(branch, Int(HexaryTrie.nibble(key, depth)), leaf)
        }
    }

    /// `node` (at nibble `to`) behind an extension from nibble `from`, or
    /// `node` itself when the two are equal.
    private func wrap(_ node: UInt32, from: Int, to: Int, keyRef: UInt32) -> UInt32 {
        guard to > from else { return node }
        return allocateNode(TrieNode(kind: TrieNode.extension_, depth: from, pathLength: to - from, link: node, keyRef: keyRef))
    }

    // MARK: Delete

    /// Removes `key` from the subtrie at `index`: the node now at that
    /// position (`none` when the subtrie became empty) and whether the key
    /// was there.
    private func remove(at index: UInt32, key: UnsafeRawBufferPointer) -> (UInt32, Bool) {
        let node = nodes[Int(index)]
        let depth = Int(node.depth)
        switch node.kind {
        case TrieNode.leaf:
            guard keyEquals(entry: node.link, key) else { return (index, false) }
            dropValue(node.link)
            freeNode(index)
            return (TrieNode.none, true)
        case TrieNode.extension_:
            let end = depth + Int(node.pathLength)
            guard 2 * key.count >= end, sharedNibbles(entry: node.keyRef, key, from: depth, to: end) == end else {
                return (index, false)
            }
            let (child, removed) = remove(at: node.link, key: key)
            guard removed else { return (index, false) }
            markDirty(index)
            // A branch below an extension has two or more members, so one remains.
            nodes[Int(index)].link = child
            return (absorbIntoExtension(index), true)
        default:
            let slot = 17 * Int(node.link)
            if 2 * key.count == depth {
                let existing = branches[slot + 16]
                guard existing != TrieNode.none, keyEquals(entry: existing, key) else { return (index, false) }
                dropValue(existing)
                branches[slot + 16] = TrieNode.none
            } else {
                let digit = Int(HexaryTrie.nibble(key, depth))
                let child = branches[slot + digit]
                guard child != TrieNode.none else { return (index, false) }
                let (replacement, removed) = remove(at: child, key: key)
                guard removed else { return (index, false) }
                branches[slot + digit] = replacement
            }
            markDirty(index)
            return (collapseBranch(index), true)
        }
    }

    /// An extension whose child changed: merged with a child leaf or
    /// extension (which takes its place), kept above a branch.
    private func absorbIntoExtension(_ index: UInt32) -> UInt32 {
        let node = nodes[Int(index)]
        let child = node.link
        let childNode = nodes[Int(child)]
        switch childNode.kind {
        case TrieNode.leaf:
            nodes[Int(child)].depth = node.depth
            markDirty(child)
            freeNode(index)
            return child
        case TrieNode.extension_:
            nodes[Int(child)].depth = node.depth
            nodes[Int(child)].pathLength = node.pathLength + childNode.pathLength
            markDirty(child)
            freeNode(index)
            return child
        default:
            return index
        }
    }

    /// A branch that lost a member: kept with two or more; otherwise turned
    /// into a leaf (only its value left), or its one child moved up one
    /// nibble (a leaf or extension starts one nibble earlier; a branch gets
    /// a one-nibble extension above it).
    private func collapseBranch(_ index: UInt32) -> UInt32 {
        let node = nodes[Int(index)]
        let slot = 17 * Int(node.link)
        var members = 0
        var only = -1
        for digit in 0..<16 where branches[slot + digit] != TrieNode.none {
            members += 1
            only = digit
        }
        let value = branches[slot + 16]
        if value != TrieNode.none { members += 1 }
        if members >= 2 { return index }
        if members == 0 {
            freeNode(index)
            return TrieNode.none
        }
        if value != TrieNode.none {
            freeBranches.append(node.link)
            nodes[Int(index)] = TrieNode(kind: TrieNode.leaf, depth: Int(node.depth), pathLength: 0, link: value, keyRef: value)
            return index
        }
        let child = branches[slot + only]
        let childNode = nodes[Int(child)]
        switch childNode.kind {
        case TrieNode.leaf:
            nodes[Int(child)].depth = node.depth
            markDirty(child)
            freeNode(index)
            return child
        case TrieNode.extension_:
            nodes[Int(child)].depth = node.depth
            nodes[Int(child)].pathLength = childNode.pathLength + 1
            markDirty(child)
            freeNode(index)
            return child
        default:
            freeBranches.append(node.link)
            nodes[Int(index)] = TrieNode(
                kind: TrieNode.extension_, depth: Int(node.depth), pathLength: 1, link: child, keyRef: childNode.keyRef)
            return index
        }
    }
}

/// One node of a `HexaryTrie`: 48 bytes, its cached reference first.
@usableFromInline
struct TrieNode: BitwiseCopyable {
    /// The node's reference: its RLP (`refLength` < 32 bytes) or its
    /// Keccak-256 (`refLength` == 32), as bytes in order.
    @usableFromInline var ref: (UInt64, UInt64, UInt64, UInt64)
    /// Leaf: its entry. Extension: its child node. Branch: its slot in `branches`.
    @usableFromInline var link: UInt32
    /// An entry whose key runs through this node (extensions read their path from it).
    @usableFromInline var keyRef: UInt32
    /// The nibble at which this node's path (or, for a branch, its digit) starts.
    @usableFromInline var depth: UInt16
    /// Extension: the nibbles of its path.
    @usableFromInline var pathLength: UInt16
    @usableFromInline var kind: UInt8
    /// 0: dirty (no valid reference); 1...31: inline RLP; 32: hash.
    @usableFromInline var refLength: UInt8

    static let none = UInt32.max
    static let leaf: UInt8 = 1
    static let extension_: UInt8 = 2
    static let branch: UInt8 = 3
    static let free: UInt8 = 0

    init(kind: UInt8, depth: Int, pathLength: Int, link: UInt32, keyRef: UInt32) {
        ref = (0, 0, 0, 0)
        self.link = link
        self.keyRef = keyRef
        self.depth = UInt16(depth)
        self.pathLength = UInt16(pathLength)
        self.kind = kind
        refLength = 0
    }
}

/// What a trie refuses.
public enum TrieError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key over `HexaryTrie.maximumKeyLength` bytes.
    case keyTooLong(Int)
    /// A value over 4 GiB.
    case valueTooLong(Int)
    /// A stored node that is not a valid trie node (hash of the node, why).
    case malformedNode(Bytes32, String)
    /// A node the store does not have.
    case missingNode(Bytes32)
    /// The state store refused a write.
    case store(String)
    /// An account leaf that is not rlp([nonce, balance, storageRoot, codeHash]) (hashed address, why).
    case malformedAccount(Bytes32, String)
    /// Storage written for an account that exists neither in the trie nor in the block (hashed address).
    case missingAccount(Bytes32)
    /// The CPU lacks the instructions of the Keccak kernel asked for.
    case kernelUnavailable(String)

    public var description: String {
        switch self {
        case .keyTooLong(let count): "trie key of \(count) bytes (at most \(HexaryTrie.maximumKeyLength))"
        case .valueTooLong(let count): "trie value of \(count) bytes (at most 4 GiB)"
        case .malformedNode(let hash, let why): "trie node \(hash) is malformed: \(why)"
        case .missingNode(let hash): "trie node \(hash) is missing from the store"
        case .store(let why): "trie node store: \(why)"
        case .malformedAccount(let key, let why): "account \(key) in the state trie is malformed: \(why)"
        case .missingAccount(let key): "storage written for account \(key), which does not exist"
        case .kernelUnavailable(let name): "the \(name) Keccak kernel is not available on this CPU"
        }
    }
}
