import ParallaxEthereum

/// Key-value pairs on 32-byte keys (a secure trie's hashed keys), values
/// packed in one buffer: the input of `HexaryTrie.build`.
public struct TrieEntryBatch: Sendable {
    public private(set) var keys: [Bytes32] = []
    public private(set) var valueBytes: [UInt8] = []
    /// Value `i` is `valueBytes[valueEnds[i - 1] ..< valueEnds[i]]` (from 0 for `i == 0`).
    public private(set) var valueEnds: [Int] = []

    public init(reservingCapacity count: Int = 0, valueBytes bytes: Int = 0) {
        keys.reserveCapacity(count)
        valueEnds.reserveCapacity(count)
        valueBytes.reserveCapacity(bytes)
    }

    public var count: Int { keys.count }

    /// Adds `key = value` (an empty value is an absent key; the last of equal keys wins).
    public mutating func append(key: Bytes32, value: some Collection<UInt8>) {
        keys.append(key)
        valueBytes.append(contentsOf: value)
        valueEnds.append(valueBytes.count)
    }

    func valueRange(_ index: Int) -> Range<Int> { (index == 0 ? 0 : valueEnds[index - 1]) ..< valueEnds[index] }
}

extension HexaryTrie {
    /// A trie holding `batch`, built from its sorted keys in one pass (every
    /// node a contiguous run of the sorted keys; all nodes dirty, for
    /// `TrieHasher`) instead of one insert per key.
    public static func build(_ batch: TrieEntryBatch) -> HexaryTrie {
        let trie = HexaryTrie()
        let (keys, order) = sortedLiveEntries(batch)
        let n = order.count
        guard n > 0 else { return trie }
        trie.keyOffset.reserve(n); trie.keyLength.reserve(n); trie.valueOffset.reserve(n); trie.valueLength.reserve(n)
        trie.keyBytes.reserve(32 * n)
        // A random-key trie has about 1.5 nodes and 0.5 branches per key.
        trie.nodes.reserve(2 * n)
        trie.branches.reserve(17 * (n / 2 + 16))
        // The value bytes move as one block; entries point into it.
        let totalValue = batch.valueBytes.count
        trie.valueBytes.reserve(totalValue)
        batch.valueBytes.withUnsafeBytes { values in
            if totalValue > 0 {
                UnsafeMutableRawPointer(trie.valueBytes.base).copyMemory(from: values.baseAddress!, byteCount: totalValue)
            }
        }
        trie.valueBytes.count = totalValue
        var live = 0
        batch.valueEnds.withUnsafeBufferPointer { ends in
            keys.withUnsafeBufferPointer { keys in
                for position in 0..<n {
                    let index = Int(order[position])
                    keys[position].store(to: UnsafeMutableRawPointer(trie.keyBytes.base + 32 * position))
                    let start = index == 0 ? 0 : ends[index - 1]
                    trie.keyOffset.base[position] = 32 * position
                    trie.keyLength.base[position] = 32
                    trie.valueOffset.base[position] = start
                    trie.valueLength.base[position] = UInt32(ends[index] - start)
                    live += ends[index] - start
                }
            }
        }
        trie.keyBytes.count = 32 * n
        trie.keyOffset.count = n; trie.keyLength.count = n; trie.valueOffset.count = n; trie.valueLength.count = n
        trie.garbageValueBytes = totalValue - live
        trie.count = n
        trie.root = trie.buildNode(0, UInt32(n), depth: 0)
        return trie
    }

    /// The live entries of `batch` (non-empty value, last of equal keys) in
    /// key order: their keys and their indices in the batch. A counting sort
    /// on the top bits moves each key with its index (reads in batch order,
    /// writes to its bucket), then insertion sort inside each bucket (hashed
    /// keys spread evenly, so buckets hold a handful each), stable so that
    /// equal keys keep their order.
    static func sortedLiveEntries(_ batch: TrieEntryBatch) -> (keys: [Bytes32], order: [Int32]) {
        let n = batch.count
        guard n > 0 else { return ([], []) }
        let bits = n < 4096 ? 8 : 16
        let shift = UInt64(64 - bits)
        var starts = [Int](repeating: 0, count: (1 << bits) + 1)
        for key in batch.keys { starts[Int(key.w0 >> shift) + 1] += 1 }
        for bucket in 0 ..< (1 << bits) { starts[bucket + 1] += starts[bucket] }
        var cursor = starts
        var sortedKeys = [Bytes32](repeating: .zero, count: n)
        var sortedIndex = [Int32](repeating: 0, count: n)
        batch.keys.withUnsafeBufferPointer { keys in
            sortedKeys.withUnsafeMutableBufferPointer { outKeys in
                sortedIndex.withUnsafeMutableBufferPointer { outIndex in
                    cursor.withUnsafeMutableBufferPointer { cursor in
                        for index in 0..<n {
                            let key = keys[index]
                            let bucket = Int(key.w0 >> shift)
                            let at = cursor[bucket]
                            outKeys[at] = key
                            outIndex[at] = Int32(index)
                            cursor[bucket] = at + 1
                        }
                    }
                    for bucket in 0 ..< (1 << bits) {
                        let lo = starts[bucket], hi = starts[bucket + 1]
                        guard hi - lo > 1 else { continue }
                        for i in (lo + 1) ..< hi {
                            let key = outKeys[i], index = outIndex[i]
                            var j = i
                            while j > lo && key < outKeys[j - 1] {
                                outKeys[j] = outKeys[j - 1]
                                outIndex[j] = outIndex[j - 1]
                                j -= 1
                            }
                            outKeys[j] = key
                            outIndex[j] = index
                        }
                    }
                }
            }
        }
        // Keep the last of equal keys, drop empty values (in place).
        var kept = 0
        for position in 0 ..< n {
            if position + 1 < n && sortedKeys[position + 1] == sortedKeys[position] { continue }
            if batch.valueRange(Int(sortedIndex[position])).isEmpty { continue }
            sortedKeys[kept] = sortedKeys[position]
            sortedIndex[kept] = sortedIndex[position]
            kept += 1
        }
        sortedKeys.removeLast(n - kept)
        sortedIndex.removeLast(n - kept)
        return (sortedKeys, sortedIndex)
    }

    /// The node over entries `lo..<hi` (sorted, agreeing on `depth` nibbles).
    func buildNode(_ lo: UInt32, _ hi: UInt32, depth: Int) -> UInt32 {
        if hi - lo == 1 { return newLeaf(entry: lo, depth: depth) }
        let limit = min(keyNibbleCount(lo), keyNibbleCount(hi - 1))
        var shared = depth
        while shared < limit && keyNibble(lo, shared) == keyNibble(hi - 1, shared) { shared += 1 }
        let branch = buildBranch(lo, hi, depth: shared)
        guard shared > depth else { return branch }
        return allocateNode(TrieNode(kind: TrieNode.extension_, depth: depth, pathLength: shared - depth, link: branch, keyRef: lo))
    }

    /// A branch at nibble `depth` over entries `lo..<hi`.
    func buildBranch(_ lo: UInt32, _ hi: UInt32, depth: Int) -> UInt32 {
        let branch = newBranch(depth: depth, keyRef: lo)
        let slot = 17 * Int(nodes[Int(branch)].link)
        var start = lo
        if keyNibbleCount(start) == depth {
            branches[slot + 16] = start
            start += 1
        }
        while start < hi {
            let digit = keyNibble(start, depth)
            // The end of the run of `digit`: binary search in the sorted range.
            var low = start + 1, high = hi
            while low < high {
                let middle = low + (high - low) / 2
                if keyNibble(middle, depth) == digit { low = middle + 1 } else { high = middle }
            }
            let child = buildNode(start, low, depth: depth + 1)
            branches[17 * Int(nodes[Int(branch)].link) + Int(digit)] = child
            start = low
        }
        return branch
    }
}
