import ParallaxEthereum
import ParallaxTopology
import Synchronization

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

    init(keys: [Bytes32], valueBytes: [UInt8], valueEnds: [Int]) {
        self.keys = keys
        self.valueBytes = valueBytes
        self.valueEnds = valueEnds
    }

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
    ///
    /// With a `pool`, a big trie is built in parallel: the entries' arrays
    /// filled in shares, and the subtries under the root's 16 children built
    /// by the workers at once, each into its own reserved region of the node
    /// and branch arenas (at most 3 nodes and 1 branch per key: leaves, then
    /// branches of two or more members, then at most one extension above
    /// each branch); what a region does not use stays unused.
    public static func build(_ batch: TrieEntryBatch, pool: WorkerPool? = nil) -> HexaryTrie {
        let trie = HexaryTrie()
        let (keys, order, n) = sortedLiveEntries(batch, pool: pool)
        guard n > 0 else { return trie }
        // An eighth of headroom in every arena: the blocks after the build
        // append new keys and values, and growing a 100 MB arena copies it.
        let room = n + n / 8 + 64
        trie.keyOffset.reserve(room); trie.keyLength.reserve(room); trie.valueOffset.reserve(room); trie.valueLength.reserve(room)
        trie.keyBytes.reserve(32 * room)
        trie.keyBytes.count = 32 * n
        trie.keyOffset.count = n; trie.keyLength.count = n; trie.valueOffset.count = n; trie.valueLength.count = n
        // Keys and value lengths in key order, then the values gathered in key
        // order too: the hasher reads leaves in key order, so their values
        // then stream from memory instead of missing the cache once each.
        let ends = batch.valueEnds
        HexaryTrie.parallelFor(pool, n) { range in
            ends.withUnsafeBufferPointer { ends in
                for position in range {
                    let index = Int(order.pointer[position])
                    keys.pointer[position].store(to: UnsafeMutableRawPointer(trie.keyBytes.base + 32 * position))
                    let start = index == 0 ? 0 : ends[index - 1]
                    trie.keyOffset.base[position] = 32 * position
                    trie.keyLength.base[position] = 32
                    trie.valueOffset.base[position] = start
                    trie.valueLength.base[position] = UInt32(ends[index] - start)
                }
            }
        }
        var total = 0
        let sources = SharedBuffer<Int>(n)
        for position in 0..<n {
            sources.pointer[position] = trie.valueOffset.base[position]
            trie.valueOffset.base[position] = total
            total += Int(trie.valueLength.base[position])
        }
        trie.valueBytes.reserve(total + total / 8 + 4096)
        trie.valueBytes.count = total
        let values = batch.valueBytes
        HexaryTrie.parallelFor(pool, n) { range in
            values.withUnsafeBytes { values in
                for position in range {
                    UnsafeMutableRawPointer(trie.valueBytes.base + trie.valueOffset.base[position])
                        .copyMemory(from: values.baseAddress! + sources.pointer[position],
                                    byteCount: Int(trie.valueLength.base[position]))
                }
            }
        }
        trie.count = n
        trie.root = trie.buildTree(n, pool: pool)
        return trie
    }

    /// The live entries of `batch` (non-empty value, last of equal keys) in
    /// key order: their keys and their indices in the batch. A counting sort
    /// on the top bits moves each key with its index (reads in batch order,
    /// writes to its bucket), then insertion sort inside each bucket (hashed
    /// keys spread evenly, so buckets hold a handful each), stable so that
    /// equal keys keep their order.
    static func sortedLiveEntries(_ batch: TrieEntryBatch, pool: WorkerPool? = nil)
        -> (keys: SharedBuffer<Bytes32>, order: SharedBuffer<Int32>, count: Int)
    {
        let n = batch.count
        guard n > 0 else { return (SharedBuffer(1), SharedBuffer(1), 0) }
        let bits = n < 4096 ? 8 : 16
        let buckets = 1 << bits
        let shift = UInt64(64 - bits)
        // One share of the keys per worker (in batch order, so the sort stays
        // stable): each counts its share, then scatters it from its own
        // cursors, which start where the shares before it end in each bucket.
        let workers = pool != nil && n >= 65_536 ? max(1, pool!.count) : 1
        let share = (n + workers - 1) / workers
        let counts = SharedBuffer<Int>(workers * buckets + 1)
        counts.pointer.initialize(repeating: 0)
        let keysArray = batch.keys
        let sortedKeys = SharedBuffer<Bytes32>(n)
        let sortedIndex = SharedBuffer<Int32>(n)
        let runShares: (@escaping @Sendable (Int) -> Void) -> Void = { body in
            if workers > 1, let pool {
                do { try pool.broadcast { body($0.index) } } catch { for w in 0..<workers { body(w) } }
            } else {
                for w in 0..<workers { body(w) }
            }
        }
        runShares { w in
            guard w < workers else { return }
            keysArray.withUnsafeBufferPointer { keys in
                let mine = counts.pointer.baseAddress! + w * buckets
                for index in min(n, w * share) ..< min(n, (w + 1) * share) { mine[Int(keys[index].w0 >> shift)] += 1 }
            }
        }
        // Cursors: bucket-major, worker-minor prefix sums; `starts` per bucket.
        var starts = [Int](repeating: 0, count: buckets + 1)
        var total = 0
        for bucket in 0..<buckets {
            starts[bucket] = total
            for w in 0..<workers {
                let count = counts.pointer[w * buckets + bucket]
                counts.pointer[w * buckets + bucket] = total
                total += count
            }
        }
        starts[buckets] = total
        // Entries with an empty value (absent keys) travel with a negative index.
        let endsArray = batch.valueEnds
        runShares { w in
            guard w < workers else { return }
            keysArray.withUnsafeBufferPointer { keys in
                endsArray.withUnsafeBufferPointer { ends in
                    let cursor = counts.pointer.baseAddress! + w * buckets
                    for index in min(n, w * share) ..< min(n, (w + 1) * share) {
                        let key = keys[index]
                        let bucket = Int(key.w0 >> shift)
                        let at = cursor[bucket]
                        sortedKeys.pointer[at] = key
                        let empty = ends[index] == (index == 0 ? 0 : ends[index - 1])
                        sortedIndex.pointer[at] = empty ? ~Int32(index) : Int32(index)
                        cursor[bucket] = at + 1
                    }
                }
            }
        }
        let frozenStarts = starts
        runShares { w in
            guard w < workers else { return }
            let outKeys = sortedKeys.pointer, outIndex = sortedIndex.pointer
            let perWorker = (buckets + workers - 1) / workers
            for bucket in min(buckets, w * perWorker) ..< min(buckets, (w + 1) * perWorker) {
                let lo = frozenStarts[bucket], hi = frozenStarts[bucket + 1]
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
        let kept = HexaryTrie.keepLive(sortedKeys.pointer, sortedIndex.pointer)
        return (sortedKeys, sortedIndex, kept)
    }

    /// Keeps the last of equal keys and drops empty values (negative
    /// indices), in place; returns how many entries are left.
    static func keepLive(_ keys: UnsafeMutableBufferPointer<Bytes32>, _ indices: UnsafeMutableBufferPointer<Int32>) -> Int {
        let n = keys.count
        var kept = 0
        for position in 0 ..< n {
            if position + 1 < n && keys[position + 1] == keys[position] { continue }
            if indices[position] < 0 { continue }
            keys[kept] = keys[position]
            indices[kept] = indices[position]
            kept += 1
        }
        return kept
    }

    /// Runs `body` over `0..<count` split in one contiguous share per
    /// worker of `pool` (on the caller alone without a pool or for small counts).
    static func parallelFor(_ pool: WorkerPool?, _ count: Int, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        let workers = pool?.count ?? 1
        guard let pool, workers > 1, count >= 16_384 else {
            body(0..<count)
            return
        }
        let share = (count + workers - 1) / workers
        let run: @Sendable (Int) -> Void = { worker in
            let lo = min(count, worker * share), hi = min(count, lo + share)
            if lo < hi { body(lo..<hi) }
        }
        do { try pool.broadcast { run($0.index) } } catch { for worker in 0..<workers { run(worker) } }
    }

    /// Where a build writes its next node and branch.
    struct BuildCursor {
        var node: Int
        var branch: Int
    }

    /// Builds the structure over the `n` sorted entries; returns the root.
    func buildTree(_ n: Int, pool: WorkerPool?) -> UInt32 {
        let workers = pool?.count ?? 1
        let last = UInt32(n - 1)
        let split = workers > 1 && n >= 4096 && keyNibbleCount(0) > 0 && keyNibble(0, 0) != keyNibble(last, 0)
        guard split, let pool else {
            let nodeBase = nodes.count, branchBase = branches.count / 17
            nodes.reserve(nodeBase + 3 * n + n / 8 + 64)
            branches.reserve(17 * (branchBase + n + n / 16 + 16))
            var cursor = BuildCursor(node: nodeBase, branch: branchBase)
            nodes.count = nodeBase + 3 * n
            branches.count = 17 * (branchBase + n)
            let root = buildNode(0, UInt32(n), depth: 0, &cursor)
            nodes.count = cursor.node
            branches.count = 17 * cursor.branch
            return root
        }
        // The root is a branch at nibble 0 (no key is empty): its children's subtries in parallel.
        let root = newBranch(depth: 0, keyRef: 0)
        var groups: [(digit: Int, lo: UInt32, hi: UInt32, node: Int, branch: Int)] = []
        var start: UInt32 = 0
        var nodeAt = nodes.count, branchAt = branches.count / 17
        while start < UInt32(n) {
            let digit = keyNibble(start, 0)
            var low = start + 1, high = UInt32(n)
            while low < high {
                let middle = low + (high - low) / 2
                if keyNibble(middle, 0) == digit { low = middle + 1 } else { high = middle }
            }
            groups.append((Int(digit), start, low, nodeAt, branchAt))
            nodeAt += 3 * Int(low - start)
            branchAt += Int(low - start)
            start = low
        }
        nodes.reserve(nodeAt + n / 8 + 64)
        branches.reserve(17 * (branchAt + n / 16 + 16))
        nodes.count = nodeAt
        branches.count = 17 * branchAt
        let results = SharedBuffer<UInt32>(groups.count)
        let used = SharedBuffer<Int>(2 * groups.count)
        let claims = TrieWorkCursor()
        let frozen = groups
        let work: @Sendable (Int) -> Void = { _ in
            while true {
                let g = claims.claim(1)
                if g >= frozen.count { break }
                var cursor = BuildCursor(node: frozen[g].node, branch: frozen[g].branch)
                results.pointer[g] = self.buildNode(frozen[g].lo, frozen[g].hi, depth: 1, &cursor)
                used.pointer[2 * g] = cursor.node - frozen[g].node
                used.pointer[2 * g + 1] = cursor.branch - frozen[g].branch
            }
        }
        do { try pool.broadcast { work($0.index) } } catch { work(0) }
        var unused = 0
        for (g, group) in groups.enumerated() {
            setChild(root, group.digit, results.pointer[g])
            unused += 3 * Int(group.hi - group.lo) - used.pointer[2 * g]
        }
        // The last region's tail is given back; the others' stay unused.
        let lastGroup = groups.count - 1
        nodes.count = groups[lastGroup].node + used.pointer[2 * lastGroup]
        branches.count = 17 * (groups[lastGroup].branch + used.pointer[2 * lastGroup + 1])
        unusedNodeSlots += unused - (3 * Int(groups[lastGroup].hi - groups[lastGroup].lo) - used.pointer[2 * lastGroup])
        return root
    }

    @inline(__always)
    func placeNode(_ node: TrieNode, _ cursor: inout BuildCursor) -> UInt32 {
        (nodes.base + cursor.node).initialize(to: node)
        cursor.node += 1
        return UInt32(cursor.node - 1)
    }

    @inline(__always)
    func placeBranch(depth: Int, keyRef: UInt32, _ cursor: inout BuildCursor) -> UInt32 {
        let slot = cursor.branch
        cursor.branch += 1
        (branches.base + 17 * slot).initialize(repeating: TrieNode.none, count: 17)
        return placeNode(TrieNode(kind: TrieNode.branch, depth: depth, pathLength: 0, link: UInt32(slot), keyRef: keyRef), &cursor)
    }

    /// The node over entries `lo..<hi` (sorted, agreeing on `depth` nibbles).
    func buildNode(_ lo: UInt32, _ hi: UInt32, depth: Int, _ cursor: inout BuildCursor) -> UInt32 {
        if hi - lo == 1 {
            return placeNode(TrieNode(kind: TrieNode.leaf, depth: depth, pathLength: 0, link: lo, keyRef: lo), &cursor)
        }
        let limit = min(keyNibbleCount(lo), keyNibbleCount(hi - 1))
        var shared = depth
        while shared < limit && keyNibble(lo, shared) == keyNibble(hi - 1, shared) { shared += 1 }
        let branch = buildBranch(lo, hi, depth: shared, &cursor)
        guard shared > depth else { return branch }
        return placeNode(TrieNode(kind: TrieNode.extension_, depth: depth, pathLength: shared - depth, link: branch, keyRef: lo), &cursor)
    }

    /// A branch at nibble `depth` over entries `lo..<hi`.
    func buildBranch(_ lo: UInt32, _ hi: UInt32, depth: Int, _ cursor: inout BuildCursor) -> UInt32 {
        let branch = placeBranch(depth: depth, keyRef: lo, &cursor)
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
            let child = buildNode(start, low, depth: depth + 1, &cursor)
            branches[slot + Int(digit)] = child
            start = low
        }
        return branch
    }
}

/// A buffer the workers of one build write disjoint elements of.
final class SharedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<Element>

    init(_ count: Int) { pointer = .allocate(capacity: count) }

    deinit { pointer.deallocate() }
}
