import ParallaxEthereum

/// The RLP of a `HexaryTrie` node (Yellow Paper, appendices B-D), written
/// straight into a byte buffer from the arenas:
/// - leaf `[HP(key[depth...], leaf), value]`;
/// - extension `[HP(path, extension), ref(child)]`;
/// - branch `[ref(child 0), ..., ref(child 15), value or ""]`;
/// where ref is the child's RLP when under 32 bytes, else the RLP string of
/// its Keccak-256 (`0xa0` and 32 bytes). Children's references must be
/// current (the hasher encodes bottom-up).
extension TrieView {
    /// An upper bound of the RLP size of node `index`.
    @inline(__always)
    func encodedBound(_ index: UInt32) -> Int {
        let node = nodes[Int(index)]
        switch node.kind {
        case TrieNode.leaf:
            return Int(keyLength[Int(node.link)]) + Int(valueLength[Int(node.link)]) + 24
        case TrieNode.extension_:
            return Int(node.pathLength) / 2 + 48
        default:
            let value = branches[17 * Int(node.link) + 16]
            return 16 * 33 + 16 + (value == TrieNode.none ? 0 : Int(valueLength[Int(value)]))
        }
    }

    /// Writes the RLP of node `index` at `out` (at least `encodedBound`
    /// bytes); returns its length.
    @inline(__always)
    func encode(_ index: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let node = nodes[Int(index)]
        switch node.kind {
        case TrieNode.leaf:
            let entry = node.link
            let pathNibbles = keyNibbleCount(entry) - Int(node.depth)
            let value = UnsafePointer(valueBytes.base + valueOffset[Int(entry)])
            let valueCount = Int(valueLength[Int(entry)])
            let payload = TrieView.hexPrefixItemLength(pathNibbles) + TrieView.stringItemLength(value, valueCount)
            var at = TrieView.writeListHeader(payload, to: out)
            at += writeHexPrefix(entry, from: Int(node.depth), count: pathNibbles, leaf: true, to: out + at)
            at += TrieView.writeString(value, valueCount, to: out + at)
            return at
        case TrieNode.extension_:
            let pathNibbles = Int(node.pathLength)
            let payload = TrieView.hexPrefixItemLength(pathNibbles) + referenceLength(node.link)
            var at = TrieView.writeListHeader(payload, to: out)
            at += writeHexPrefix(node.keyRef, from: Int(node.depth), count: pathNibbles, leaf: false, to: out + at)
            at += writeReference(node.link, to: out + at)
            return at
        default:
            let slot = branches.base + 17 * Int(node.link)
            var payload = 0
            for digit in 0..<16 {
                let child = slot[digit]
                payload += child == TrieNode.none ? 1 : referenceLength(child)
            }
            let valueEntry = slot[16]
            var value: UnsafePointer<UInt8>? = nil
            var valueCount = 0
            if valueEntry != TrieNode.none {
                value = UnsafePointer(valueBytes.base + valueOffset[Int(valueEntry)])
                valueCount = Int(valueLength[Int(valueEntry)])
                payload += TrieView.stringItemLength(value!, valueCount)
            } else {
                payload += 1
            }
            var at = TrieView.writeListHeader(payload, to: out)
            for digit in 0..<16 {
                let child = slot[digit]
                if child == TrieNode.none {
                    out[at] = 0x80
                    at += 1
                } else {
                    at += writeReference(child, to: out + at)
                }
            }
            if let value {
                at += TrieView.writeString(value, valueCount, to: out + at)
            } else {
                out[at] = 0x80
                at += 1
            }
            return at
        }
    }

    /// Bytes of a child's reference inside its parent.
    @inline(__always)
    func referenceLength(_ child: UInt32) -> Int {
        let length = Int(nodes[Int(child)].refLength)
        return length == 32 ? 33 : length
    }

    @inline(__always)
    func writeReference(_ child: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let node = nodes.base + Int(child)
        let length = Int(node.pointee.refLength)
        if length == 32 {
            out[0] = 0xA0
            let target = UnsafeMutableRawPointer(out + 1)
            target.storeBytes(of: node.pointee.ref.0, toByteOffset: 0, as: UInt64.self)
            target.storeBytes(of: node.pointee.ref.1, toByteOffset: 8, as: UInt64.self)
            target.storeBytes(of: node.pointee.ref.2, toByteOffset: 16, as: UInt64.self)
            target.storeBytes(of: node.pointee.ref.3, toByteOffset: 24, as: UInt64.self)
            return 33
        }
        let ref = UnsafeRawPointer(node).assumingMemoryBound(to: UInt8.self)
        for index in 0..<length { out[index] = ref[index] }
        return length
    }

    /// Hex-prefix encoding of `count` nibbles of `entry`'s key from `from`, as an RLP string.
    @inline(__always)
    func writeHexPrefix(_ entry: UInt32, from: Int, count: Int, leaf: Bool, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let bytes = count / 2 + 1
        var at = 0
        if bytes > 1 { at = TrieView.writeStringHeader(bytes, to: out) }
        let key = keyBytes.base + keyOffset[Int(entry)]
        var flag: UInt8 = leaf ? 0x20 : 0
        var index = from
        if count & 1 == 1 {
            flag |= 0x10 | TrieView.nibble(key, index)
            index += 1
        }
        out[at] = flag
        at += 1
        let end = from + count
        if index & 1 == 0 {
            // Byte-aligned: copy whole key bytes.
            let byteCount = (end - index) / 2
            (out + at).update(from: key + index / 2, count: byteCount)
            at += byteCount
        } else {
            while index < end {
                out[at] = TrieView.nibble(key, index) << 4 | TrieView.nibble(key, index + 1)
                at += 1
                index += 2
            }
        }
        return at
    }

    @inline(__always)
    static func nibble(_ key: UnsafePointer<UInt8>, _ index: Int) -> UInt8 {
        let byte = key[index >> 1]
        return index & 1 == 0 ? byte >> 4 : byte & 0x0F
    }

    /// RLP length of the hex-prefix string of `nibbles` nibbles.
    @inline(__always)
    static func hexPrefixItemLength(_ nibbles: Int) -> Int {
        let bytes = nibbles / 2 + 1
        return bytes == 1 ? 1 : bytes + headerLength(bytes)
    }

    /// RLP length of a byte string.
    @inline(__always)
    static func stringItemLength(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
        if count == 1 && bytes[0] < 0x80 { return 1 }
        return count + headerLength(count)
    }

    @inline(__always)
    static func headerLength(_ length: Int) -> Int {
        if length <= 55 { return 1 }
        var bytes = 0
        var rest = length
        while rest > 0 { bytes += 1; rest >>= 8 }
        return 1 + bytes
    }

    @inline(__always)
    static func writeString(_ bytes: UnsafePointer<UInt8>, _ count: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if count == 1 && bytes[0] < 0x80 {
            out[0] = bytes[0]
            return 1
        }
        let at = writeStringHeader(count, to: out)
        if count < 16 {
            for index in 0..<count { out[at + index] = bytes[index] }
        } else {
            UnsafeMutableRawPointer(out + at).copyMemory(from: bytes, byteCount: count)
        }
        return at + count
    }

    @inline(__always)
    static func writeStringHeader(_ length: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        writeHeader(length, short: 0x80, long: 0xB7, to: out)
    }

    @inline(__always)
    static func writeListHeader(_ length: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        writeHeader(length, short: 0xC0, long: 0xF7, to: out)
    }

    @inline(__always)
    static func writeHeader(_ length: Int, short: UInt8, long: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if length <= 55 {
            out[0] = short + UInt8(length)
            return 1
        }
        var bytes = 0
        var rest = length
        while rest > 0 { bytes += 1; rest >>= 8 }
        out[0] = long + UInt8(bytes)
        for index in 0..<bytes { out[1 + index] = UInt8(truncatingIfNeeded: length >> (8 * (bytes - 1 - index))) }
        return 1 + bytes
    }
}

/// A trie's arenas as plain pointers, for the hashing loops: reading a
/// `HexaryTrie` (a class) from several threads at once would retain and
/// release it per node, and its reference count would bounce between the
/// cores' caches. Valid while the trie is alive and nothing grows its arenas.
struct TrieView: @unchecked Sendable {
    let nodes: TrieBuffer<TrieNode>
    let branches: TrieBuffer<UInt32>
    let keyOffset: TrieBuffer<Int>
    let keyLength: TrieBuffer<UInt16>
    let valueOffset: TrieBuffer<Int>
    let valueLength: TrieBuffer<UInt32>
    let keyBytes: TrieBuffer<UInt8>
    let valueBytes: TrieBuffer<UInt8>

    init(_ trie: HexaryTrie) {
        nodes = trie.nodes; branches = trie.branches
        keyOffset = trie.keyOffset; keyLength = trie.keyLength
        valueOffset = trie.valueOffset; valueLength = trie.valueLength
        keyBytes = trie.keyBytes; valueBytes = trie.valueBytes
    }

    @inline(__always)
    func keyNibbleCount(_ entry: UInt32) -> Int { 2 * Int(keyLength[Int(entry)]) }
}
