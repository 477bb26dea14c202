import CParallaxHash
import ParallaxEthereum
import ParallaxTopology
import Synchronization

/// Which Keccak-256 kernel hashes the trie's nodes.
public enum TrieKernel: String, Sendable, CaseIterable {
    /// The runtime dispatch of `px_keccak256_batch` (AVX-512 8 lanes, AVX2 4
    /// lanes, scalar), which also drops to a narrower kernel for tiny batches.
    case auto
    /// The portable one-message-at-a-time kernel.
    case scalar
    /// 4 lanes on AVX2.
    case avx2
    /// 8 lanes on AVX-512F.
    case avx512

    var implementation: px_hash_impl {
        switch self {
        case .auto: px_keccak256_selected()
        case .scalar: px_hash_impl_scalar
        case .avx2: px_hash_impl_avx2
        case .avx512: px_hash_impl_avx512
        }
    }

    /// Whether this CPU runs the kernel.
    public var isAvailable: Bool { self == .auto || px_keccak256_available(implementation) == 1 }

    /// The kernel `auto` picks now.
    public static var selectedName: String {
        switch px_keccak256_selected() {
        case px_hash_impl_avx512: "avx512"
        case px_hash_impl_avx2: "avx2"
        default: "scalar"
        }
    }

    /// Hashes `n` messages into `out` with this kernel.
    @inline(__always)
    func hash(_ messages: UnsafePointer<UnsafePointer<UInt8>?>, _ lengths: UnsafePointer<Int>, _ n: Int,
              _ out: UnsafeMutableRawPointer) {
        out.withMemoryRebound(to: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                                   UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                                   UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                                   UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8).self, capacity: n) { rows in
            if self == .auto {
                px_keccak256_batch(messages, lengths, n, rows)
            } else {
                // Availability is checked when the hasher is made.
                _ = px_keccak256_batch_with(implementation, messages, lengths, n, rows)
            }
        }
    }
}

/// Hashes the dirty nodes of a set of `HexaryTrie`s bottom-up, level by
/// level, on the multi-buffer Keccak kernels, in parallel on a `WorkerPool` (the executors' pool).
///
/// ## Algorithm
/// 1. Split: each trie of at least `splitNodes` nodes is cut below its top
///    levels (its dirty nodes down to nibble depth 1, then 2, ... until
///    there are 16 subtries per worker or 3 levels are cut; the 16 children
///    of the root first, deeper for big or skewed tries); the dirty nodes
///    above the cut are its *top*. Smaller tries (a contract's storage) are
///    one subtrie each. Every subtrie is independent of every other.
/// 2. Subtries, in parallel: workers claim chunks of subtries from a shared
///    counter. For a chunk, a worker walks the dirty nodes (a post-order walk
///    that skips clean subtrees) and files each under its *height*, one more
///    than its highest dirty child's (leaves: 0): a node's children are all
///    in lower levels, so one level's nodes are independent of each other.
///    Then, per level from 0 up: RLP-encode every node into one buffer; a
///    node under 32 bytes becomes its parent's inline reference; the others
///    are hashed as one batch on the multi-buffer kernel, ordered by Keccak
///    block count (ceil((len+1)/136)) so that the kernel's lanes, refilled
///    from the batch in order, carry messages of the same length side by
///    side (a 532-byte branch does not hold a lane while 70-byte leaves pass).
/// 3. Tops: the caller hashes every trie's top the same way (one chunk).
/// 4. Roots: a root whose RLP is under 32 bytes is hashed on its own (the
///    root is always a hash).
///
/// Workers write only the references of the nodes of their own subtries and
/// read only those and their children; nothing allocates in the arenas.
public final class TrieHasher: @unchecked Sendable {
    /// The workers; nil runs everything on the caller's thread.
    public let pool: WorkerPool?
    public let kernel: TrieKernel
    /// Tries with fewer nodes are never split.
    @exclusivity(unchecked) public var splitNodes = 4096
    let scratch: [TrieHashScratch]

    /// Nodes hashed (RLP of 32 bytes or more, and roots) by the last `hash` call.
    @exclusivity(unchecked) public private(set) var nodesHashed = 0
    /// Nodes encoded inline in their parent by the last `hash` call.
    @exclusivity(unchecked) public private(set) var nodesInline = 0
    /// Bytes hashed by the last `hash` call.
    @exclusivity(unchecked) public private(set) var bytesHashed = 0
    /// With `recordNodes`, every node hashed by the last call, its hash and RLP
    /// (what a node store keeps), the roots' short RLP included.
    @exclusivity(unchecked) public private(set) var recorded: [(hash: Bytes32, rlp: [UInt8])] = []
    /// Lengths of every message hashed while `recordLengths` is set, since
    /// the last `clearMessageLengths()` (a state root takes several calls).
    @exclusivity(unchecked) public private(set) var messageLengths: [Int] = []

    /// Starts `messageLengths` afresh.
    public func clearMessageLengths() { messageLengths = [] }
    /// Keep the nodes hashed (for `recorded`).
    @exclusivity(unchecked) public var recordNodes = false
    /// Keep the lengths hashed (for `messageLengths`).
    @exclusivity(unchecked) public var recordLengths = false

    /// - Parameters:
    ///   - pool: workers to split the work over (nil: the caller's thread
    ///     only); every worker of the pool takes part (a broadcast).
    ///   - kernel: the Keccak kernel; refused when the CPU lacks it.
    public init(pool: WorkerPool?, kernel: TrieKernel = .auto) throws(TrieError) {
        guard kernel.isAvailable else { throw .kernelUnavailable(kernel.rawValue) }
        self.pool = pool
        self.kernel = kernel
        scratch = (0..<max(1, pool?.count ?? 1)).map { _ in TrieHashScratch() }
    }

    /// Hashes every dirty node of `tries` and returns their root hashes, in order.
    public func hash(_ tries: [HexaryTrie]) -> [Bytes32] {
        for part in scratch { part.reset(record: recordNodes, lengths: recordLengths) }
        let workers = scratch.count
        var units: [UInt64] = []
        var tops: [UInt64] = []
        for (t, trie) in tries.enumerated() where !trie.isClean {
            let tag = UInt64(t) << 32
            if trie.nodeCount < splitNodes || workers == 1 && trie.nodeCount < 16 * splitNodes {
                units.append(tag | UInt64(trie.root))
                continue
            }
            var frontier = [trie.root]
            var levels = 0
            while frontier.count < 16 * workers && levels < 3 {
                var next: [UInt32] = []
                var expanded = false
                for index in frontier {
                    let node = trie.nodes[Int(index)]
                    switch node.kind {
                    case TrieNode.branch:
                        tops.append(tag | UInt64(index))
                        expanded = true
                        let slot = 17 * Int(node.link)
                        for digit in 0..<16 {
                            let child = trie.branches[slot + digit]
                            if child != TrieNode.none && trie.nodes[Int(child)].refLength == 0 { next.append(child) }
                        }
                    case TrieNode.extension_:
                        tops.append(tag | UInt64(index))
                        expanded = true
                        if trie.nodes[Int(node.link)].refLength == 0 { next.append(node.link) }
                    default:
                        next.append(index)
                    }
                }
                frontier = next
                if !expanded { break }
                levels += 1
            }
            units.append(contentsOf: frontier.map { tag | UInt64($0) })
        }
        let unitCount = units.count
        let frozenUnits = units
        let views = tries.map(TrieView.init)
        if unitCount > 0 {
            let chunk = max(1, unitCount / (8 * workers))
            let cursor = TrieWorkCursor()
            let kernel = self.kernel
            let scratch = self.scratch
            let work: @Sendable (Int) -> Void = { worker in
                let part = scratch[worker]
                frozenUnits.withUnsafeBufferPointer { all in
                    views.withUnsafeBufferPointer { views in
                        while true {
                            let start = cursor.claim(chunk)
                            if start >= unitCount { break }
                            part.hashSubtries(views, UnsafeBufferPointer(rebasing: all[start..<min(start + chunk, unitCount)]), kernel)
                        }
                    }
                }
            }
            if let pool, workers > 1 {
                do {
                    try pool.broadcast { context in work(context.index) }
                } catch {
                    // A pool shut down under us: the caller claims whatever is left.
                    work(0)
                }
            } else {
                work(0)
            }
        }
        if !tops.isEmpty {
            // Roots of split tries: their dirty nodes above the cut (the subtries are clean now).
            var roots: [UInt64] = []
            for (t, trie) in tries.enumerated() where !trie.isClean { roots.append(UInt64(t) << 32 | UInt64(trie.root)) }
            views.withUnsafeBufferPointer { views in
                roots.withUnsafeBufferPointer { scratch[0].hashSubtries(views, $0, kernel) }
            }
        }
        var result: [Bytes32] = []
        result.reserveCapacity(tries.count)
        var extra = 0
        for trie in tries {
            let (root, hashedHere) = rootHash(trie)
            result.append(root)
            if hashedHere {
                extra += 1
                if recordNodes { recordedRootRLP.append((root, trie.rootReferenceBytes)) }
            }
        }
        nodesHashed = scratch.reduce(extra) { $0 + $1.hashed }
        nodesInline = scratch.reduce(0) { $0 + $1.inline } - extra
        bytesHashed = scratch.reduce(0) { $0 + $1.bytes }
        if recordNodes {
            recorded = scratch.flatMap(\.recorded) + recordedRootRLP
            recordedRootRLP = []
        }
        if recordLengths { for part in scratch { messageLengths += part.lengthsHashed } }
        return result
    }

    @exclusivity(unchecked) private var recordedRootRLP: [(hash: Bytes32, rlp: [UInt8])] = []

    /// The root hash of a clean trie, and whether it was hashed here (a root under 32 bytes).
    func rootHash(_ trie: HexaryTrie) -> (Bytes32, Bool) {
        guard trie.root != TrieNode.none else { return (EmptyHashes.trieRoot, false) }
        let node = trie.nodes.base + Int(trie.root)
        if node.pointee.refLength == 32 { return (Bytes32(loadingFrom: UnsafeRawPointer(node)), false) }
        return (keccak256(UnsafeRawBufferPointer(start: UnsafeRawPointer(node), count: Int(node.pointee.refLength))), true)
    }
}

extension HexaryTrie {
    /// The root's reference bytes: its hash, or its RLP when under 32 bytes.
    var rootReferenceBytes: [UInt8] {
        guard root != TrieNode.none else { return [0x80] }
        let node = nodes.base + Int(root)
        return Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(node), count: Int(node.pointee.refLength)))
    }

    /// The root hash of a trie whose nodes are all hashed (`isClean`).
    public var cleanRootHash: Bytes32? {
        guard isClean else { return nil }
        guard root != TrieNode.none else { return EmptyHashes.trieRoot }
        let node = nodes.base + Int(root)
        if node.pointee.refLength == 32 { return Bytes32(loadingFrom: UnsafeRawPointer(node)) }
        return keccak256(UnsafeRawBufferPointer(start: UnsafeRawPointer(node), count: Int(node.pointee.refLength)))
    }
}

/// The shared counter workers claim chunks of subtries from.
final class TrieWorkCursor: Sendable {
    let next = Atomic<Int>(0)

    /// The start of the next `chunk` units (relaxed: the units were published
    /// before the broadcast that runs the claimers).
    func claim(_ chunk: Int) -> Int { next.add(chunk, ordering: .relaxed).oldValue }
}

/// One worker's buffers for `TrieHasher`, reused across calls.
final class TrieHashScratch: @unchecked Sendable {
    /// Nodes by height: (trie index << 32) | node index.
    @exclusivity(unchecked) var levels: [[UInt64]] = []
    @exclusivity(unchecked) var encoded = TrieBuffer<UInt8>(capacity: 1 << 16)
    @exclusivity(unchecked) var offsets: [Int] = []
    @exclusivity(unchecked) var lengths: [Int] = []
    /// Positions in the level of the nodes to hash, by block count.
    @exclusivity(unchecked) var buckets: [[Int32]] = Array(repeating: [], count: 9)
    @exclusivity(unchecked) var messages: [UnsafePointer<UInt8>?] = []
    @exclusivity(unchecked) var messageLengths: [Int] = []
    @exclusivity(unchecked) var order: [Int32] = []
    @exclusivity(unchecked) var digests = TrieBuffer<UInt8>(capacity: 32 * 1024)
    @exclusivity(unchecked) var hashed = 0
    @exclusivity(unchecked) var inline = 0
    @exclusivity(unchecked) var bytes = 0
    @exclusivity(unchecked) var record = false
    @exclusivity(unchecked) var recorded: [(hash: Bytes32, rlp: [UInt8])] = []
    @exclusivity(unchecked) var keepLengths = false
    @exclusivity(unchecked) var lengthsHashed: [Int] = []

    deinit {
        encoded.deallocate()
        digests.deallocate()
    }

    func reset(record: Bool, lengths: Bool) {
        hashed = 0; inline = 0; bytes = 0
        self.record = record
        recorded = []
        keepLengths = lengths
        lengthsHashed = []
    }

    /// Hashes the dirty nodes under each of `roots`, level by level.
    func hashSubtries(_ tries: UnsafeBufferPointer<TrieView>, _ roots: UnsafeBufferPointer<UInt64>, _ kernel: TrieKernel) {
        for level in levels.indices { levels[level].removeAll(keepingCapacity: true) }
        for tagged in roots {
            _ = collect(tries[Int(tagged >> 32)], UInt32(truncatingIfNeeded: tagged), tag: tagged & ~0xFFFF_FFFF)
        }
        for level in levels.indices where !levels[level].isEmpty {
            hashLevel(tries, level, kernel)
        }
    }

    /// Files the dirty nodes under `index` by height; returns its height (-1: clean).
    private func collect(_ trie: TrieView, _ index: UInt32, tag: UInt64) -> Int {
        let node = trie.nodes.base + Int(index)
        guard node.pointee.refLength == 0 else { return -1 }
        var height = 0
        switch node.pointee.kind {
        case TrieNode.extension_:
            height = collect(trie, node.pointee.link, tag: tag) + 1
        case TrieNode.branch:
            let slot = trie.branches.base + 17 * Int(node.pointee.link)
            var highest = -1
            for digit in 0..<16 {
                let child = slot[digit]
                if child != TrieNode.none {
                    let h = collect(trie, child, tag: tag)
                    if h > highest { highest = h }
                }
            }
            height = highest + 1
        default:
            break
        }
        while levels.count <= height { levels.append([]) }
        levels[height].append(tag | UInt64(index))
        return height
    }

    /// Nodes encoded and hashed at a time: their RLP (about 250 KiB for
    /// leaves, 1 MiB for full branches) stays in cache from the encoder to
    /// the kernel.
    static let sliceNodes = 2048

    private func hashLevel(_ tries: UnsafeBufferPointer<TrieView>, _ level: Int, _ kernel: TrieKernel) {
        let members = levels[level]
        var start = 0
        while start < members.count {
            let end = min(start + TrieHashScratch.sliceNodes, members.count)
            members.withUnsafeBufferPointer { hashSlice(tries, UnsafeBufferPointer(rebasing: $0[start..<end]), kernel) }
            start = end
        }
    }

    private func hashSlice(_ tries: UnsafeBufferPointer<TrieView>, _ members: UnsafeBufferPointer<UInt64>, _ kernel: TrieKernel) {
        let count = members.count
        encoded.removeAll()
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        for bucket in buckets.indices { buckets[bucket].removeAll(keepingCapacity: true) }
        var toHash = 0
        for position in 0..<count {
            let tagged = members[position]
            let trie = tries[Int(tagged >> 32)]
            let index = UInt32(truncatingIfNeeded: tagged)
            let bound = trie.encodedBound(index)
            let start = encoded.appendUninitialized(bound)
            let length = trie.encode(index, to: encoded.base + start)
            encoded.count = start + length
            offsets.append(start)
            lengths.append(length)
            if length < 32 {
                let node = trie.nodes.base + Int(index)
                UnsafeMutableRawPointer(node).copyMemory(from: encoded.base + start, byteCount: length)
                node.pointee.refLength = UInt8(length)
                inline += 1
            } else {
                buckets[min(length / 136, 8)].append(Int32(position))
                toHash += 1
            }
        }
        guard toHash > 0 else { return }
        // Short messages first, equal block counts side by side.
        order.removeAll(keepingCapacity: true)
        for bucket in buckets { order.append(contentsOf: bucket) }
        messages.removeAll(keepingCapacity: true)
        messageLengths.removeAll(keepingCapacity: true)
        for position in order {
            messages.append(UnsafePointer(encoded.base + offsets[Int(position)]))
            messageLengths.append(lengths[Int(position)])
            bytes += lengths[Int(position)]
        }
        digests.removeAll()
        _ = digests.appendUninitialized(32 * toHash)
        messages.withUnsafeBufferPointer { m in
            messageLengths.withUnsafeBufferPointer { l in
                kernel.hash(m.baseAddress!, l.baseAddress!, toHash, UnsafeMutableRawPointer(digests.base))
            }
        }
        for (k, position) in order.enumerated() {
            let tagged = members[Int(position)]
            let trie = tries[Int(tagged >> 32)]
            let node = trie.nodes.base + Int(UInt32(truncatingIfNeeded: tagged))
            let digest = UnsafeRawPointer(digests.base + 32 * k)
            node.pointee.ref = (digest.loadUnaligned(as: UInt64.self), digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                                digest.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                                digest.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            node.pointee.refLength = 32
            if record {
                let start = offsets[Int(position)]
                recorded.append((Bytes32(loadingFrom: UnsafeRawPointer(digests.base + 32 * k)),
                                 Array(UnsafeBufferPointer(start: encoded.base + start, count: lengths[Int(position)]))))
            }
        }
        if keepLengths { lengthsHashed.append(contentsOf: messageLengths) }
        hashed += toHash
    }
}
