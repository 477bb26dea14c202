/// The root hash of a Merkle Patricia Trie (Yellow Paper, appendix D; hex-prefix
/// encoding, appendix C), computed from the whole key-value set at once.
///
/// Keys are read as nibble strings (high nibble of each byte first). The node
/// function over a set of entries whose keys agree on their first `depth`
/// nibbles is:
/// - one entry: a leaf `[HP(rest of its key, leaf), value]`;
/// - all keys share more nibbles past `depth`: an extension
///   `[HP(shared nibbles, extension), ref(branch at the end of the shared part)]`;
/// - otherwise a branch: 16 child references by the nibble at `depth`
///   (`0x80` for no child), then the value of the key that ends at `depth`
///   (`0x80` for none).
/// A child is referenced by its RLP when that is under 32 bytes, else by the
/// RLP string of its Keccak-256; the root is always hashed, and the empty
/// trie's root is keccak256(rlp("")) (`EmptyHashes.trieRoot`).
///
/// Building from sorted keys makes each node one contiguous range of the
/// sorted entries, so the longest prefix shared by a range is the one shared
/// by its first and last keys and every entry is visited once per node on its
/// path: O(total key nibbles) work plus one hash per node of 32 bytes or
/// more. The keys live in one packed buffer sorted through an index array,
/// so no key or value is copied per level.
///
/// Empty values mean "absent" (the trie cannot hold them), and when a key
/// appears more than once its last entry wins, as repeated updates would.
public enum MerklePatriciaTrie {
    /// The root of the trie holding `entries` under their keys as given.
    public static func root(_ entries: [(key: [UInt8], value: [UInt8])]) -> Bytes32 {
        var packed = [UInt8]()
        packed.reserveCapacity(entries.reduce(0) { $0 + $1.key.count })
        var keyStart = [Int]()
        keyStart.reserveCapacity(entries.count + 1)
        for entry in entries {
            keyStart.append(packed.count)
            packed.append(contentsOf: entry.key)
        }
        keyStart.append(packed.count)
        return root(packedKeys: packed, keyStart: keyStart, values: entries.map(\.value))
    }

    /// The root of the "secure" trie: each key replaced by its Keccak-256
    /// (the state trie keyed by keccak(address), storage tries keyed by
    /// keccak(slot)), the keys hashed in one batch.
    public static func secureRoot(_ entries: [(key: [UInt8], value: [UInt8])]) -> Bytes32 {
        secureRoot(hashedKeys: keccak256Batch(entries.map(\.key)), values: entries.map(\.value))
    }

    /// The secure trie over keys already hashed: `hashedKeys[i]` holds `values[i]`.
    public static func secureRoot(hashedKeys: [Bytes32], values: [[UInt8]]) -> Bytes32 {
        precondition(hashedKeys.count == values.count, "secureRoot: \(hashedKeys.count) keys, \(values.count) values")
        var packed = [UInt8](repeating: 0, count: 32 * hashedKeys.count)
        packed.withUnsafeMutableBytes { out in
            for (index, key) in hashedKeys.enumerated() { key.store(to: out.baseAddress! + 32 * index) }
        }
        let keyStart = Array(stride(from: 0, through: 32 * hashedKeys.count, by: 32))
        return root(packedKeys: packed, keyStart: keyStart, values: values)
    }

    /// Key `i` is `packedKeys[keyStart[i]..<keyStart[i + 1]]`.
    static func root(packedKeys: [UInt8], keyStart: [Int], values: [[UInt8]]) -> Bytes32 {
        packedKeys.withUnsafeBufferPointer { keys in
            var builder = Builder(keys: keys, keyStart: keyStart, values: values)
            guard let rootNode = builder.rootNode() else { return EmptyHashes.trieRoot }
            return keccak256(rootNode)
        }
    }

    /// Hex-prefix encoding (Yellow Paper, appendix C) of nibbles
    /// `first..<end` of `key`, appended to `out`: a flag nibble (2 for a leaf,
    /// plus 1 for an odd count), then the odd nibble or a zero pad, then the
    /// remaining nibbles two a byte.
    static func appendHexPrefix(
        _ key: UnsafeBufferPointer<UInt8>, from first: Int, to end: Int, leaf: Bool, to out: inout [UInt8]
    ) {
        let odd = (end - first) & 1
        var flag = UInt8(leaf ? 2 : 0) | UInt8(odd)
        flag <<= 4
        var index = first
        if odd == 1 {
            flag |= nibble(key, index)
            index += 1
        }
        out.append(flag)
        while index < end {
            out.append(nibble(key, index) << 4 | nibble(key, index + 1))
            index += 2
        }
    }

    @inline(__always)
    static func nibble(_ key: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt8 {
        let byte = key[index >> 1]
        return index & 1 == 0 ? byte >> 4 : byte & 0x0F
    }

    private struct Builder {
        let keys: UnsafeBufferPointer<UInt8>
        let keyStart: [Int]
        let values: [[UInt8]]
        /// Indices of the live entries (non-empty value, last of equal keys),
        /// sorted by key.
        var order: [Int] = []

        init(keys: UnsafeBufferPointer<UInt8>, keyStart: [Int], values: [[UInt8]]) {
            self.keys = keys
            self.keyStart = keyStart
            self.values = values
        }

        func key(_ entry: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: keys[keyStart[entry]..<keyStart[entry + 1]])
        }

        func nibbleCount(_ entry: Int) -> Int { 2 * (keyStart[entry + 1] - keyStart[entry]) }

        /// The RLP of the root node; nil for the empty trie.
        mutating func rootNode() -> [UInt8]? {
            sortLiveEntries()
            guard !order.isEmpty else { return nil }
            return node(order.startIndex, order.endIndex, depth: 0)
        }

        private mutating func sortLiveEntries() {
            var sorted = Array(values.indices)
            // Ties by original index so that the last of equal keys comes last.
            sorted.sort { a, b in
                let order = compare(key(a), key(b))
                return order != 0 ? order < 0 : a < b
            }
            order.reserveCapacity(sorted.count)
            for (position, entry) in sorted.enumerated() {
                let next = position + 1
                if next < sorted.count && compare(key(entry), key(sorted[next])) == 0 { continue }
                if !values[entry].isEmpty { order.append(entry) }
            }
        }

        private func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
            let common = min(a.count, b.count)
            for index in 0..<common where a[index] != b[index] {
                return a[index] < b[index] ? -1 : 1
            }
            return a.count - b.count
        }

        /// The RLP of the node over `order[lo..<hi]`, whose keys agree on their
        /// first `depth` nibbles.
        private func node(_ lo: Int, _ hi: Int, depth: Int) -> [UInt8] {
            if hi - lo == 1 { return leaf(order[lo], depth: depth) }
            let first = order[lo], last = order[hi - 1]
            let firstKey = key(first), lastKey = key(last)
            let limit = min(nibbleCount(first), nibbleCount(last))
            var shared = depth
            while shared < limit && nibble(firstKey, shared) == nibble(lastKey, shared) { shared += 1 }
            guard shared > depth else { return branch(lo, hi, depth: depth) }
            var path = [UInt8]()
            path.reserveCapacity((shared - depth) / 2 + 1)
            appendHexPrefix(firstKey, from: depth, to: shared, leaf: false, to: &path)
            var child = [UInt8]()
            appendReference(branch(lo, hi, depth: shared), to: &child)
            return list(RLP.encode(bytes: path), child)
        }

        private func leaf(_ entry: Int, depth: Int) -> [UInt8] {
            var path = [UInt8]()
            path.reserveCapacity((nibbleCount(entry) - depth) / 2 + 1)
            appendHexPrefix(key(entry), from: depth, to: nibbleCount(entry), leaf: true, to: &path)
            var value = [UInt8]()
            RLP.appendBytes(values[entry], to: &value)
            return list(RLP.encode(bytes: path), value)
        }

        /// A branch over entries that diverge at nibble `depth` (or of which
        /// the first ends there).
        private func branch(_ lo: Int, _ hi: Int, depth: Int) -> [UInt8] {
            var payload = [UInt8]()
            payload.reserveCapacity(17 * 33)
            var start = lo
            var value: [UInt8]? = nil
            // Sorted order puts the key that ends at `depth` first.
            if nibbleCount(order[start]) == depth {
                value = values[order[start]]
                start += 1
            }
            for digit in UInt8(0)...15 {
                var end = start
                while end < hi && nibble(key(order[end]), depth) == digit { end += 1 }
                if end == start {
                    payload.append(0x80)
                } else {
                    appendReference(node(start, end, depth: depth + 1), to: &payload)
                }
                start = end
            }
            if let value { RLP.appendBytes(value, to: &payload) } else { payload.append(0x80) }
            var out = [UInt8]()
            out.reserveCapacity(RLP.encodedLength(ofListPayload: payload.count))
            RLP.appendListHeader(payloadLength: payload.count, to: &out)
            out.append(contentsOf: payload)
            return out
        }

        /// `[a, b]` where both are already encoded items.
        private func list(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
            let payload = a.count + b.count
            var out = [UInt8]()
            out.reserveCapacity(RLP.encodedLength(ofListPayload: payload))
            RLP.appendListHeader(payloadLength: payload, to: &out)
            out.append(contentsOf: a)
            out.append(contentsOf: b)
            return out
        }

        /// A child node inline when its RLP is under 32 bytes, else its hash.
        private func appendReference(_ node: [UInt8], to out: inout [UInt8]) {
            if node.count < 32 {
                out.append(contentsOf: node)
            } else {
                out.append(0xA0)
                withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { digest in
                    keccak256(node).store(to: digest.baseAddress!)
                    out.append(contentsOf: UnsafeRawBufferPointer(digest))
                }
            }
        }
    }
}

/// The root of the secure trie over `entries` (keys Keccak-256 hashed).
public func secureTrieRoot(_ entries: [(key: [UInt8], value: [UInt8])]) -> Bytes32 {
    MerklePatriciaTrie.secureRoot(entries)
}
