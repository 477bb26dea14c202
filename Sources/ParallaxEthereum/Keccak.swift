import CParallaxHash

/// Keccak-256 with Ethereum's padding (Keccak[r=1088, c=512], pad byte 0x01;
/// not FIPS 202 SHA3-256), the hash of the Yellow Paper (section 3 and
/// appendix D's trie, appendix F's addresses).
///
/// One message runs on the project's batched kernel `px_keccak256_batch`
/// with n = 1 (CSupport/include/px_hash.h, runtime SIMD dispatch); callers
/// with many independent messages should batch them through that kernel.

/// The Keccak-256 digest of `bytes` (read in place when contiguous).
@inlinable
public func keccak256(_ bytes: some Collection<UInt8>) -> Bytes32 {
    if let digest = bytes.withContiguousStorageIfAvailable({ keccak256(UnsafeRawBufferPointer($0)) }) {
        return digest
    }
    return Array(bytes).withUnsafeBytes { keccak256($0) }
}

/// The Keccak-256 digest of the bytes in `buffer`.
public func keccak256(_ buffer: UnsafeRawBufferPointer) -> Bytes32 {
    var digest = Bytes32.zero
    withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { out in
        // A message pointer may be NULL only for length 0 (px_hash.h).
        var message: UnsafePointer<UInt8>? = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var length = buffer.count
        out.baseAddress!.withMemoryRebound(to: DigestRow.self, capacity: 1) { row in
            px_keccak256_batch(&message, &length, 1, row)
        }
        digest = Bytes32(loadingFrom: UnsafeRawPointer(out.baseAddress!))
    }
    return digest
}

/// One 32-byte output row of the C kernels (`uint8_t (*out)[32]`).
private typealias DigestRow = (
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
)

/// The digests of the empty inputs Ethereum compares against.
public enum EmptyHashes {
    /// keccak256 of no bytes: the code hash of an account without code.
    public static let code = keccak256(EmptyCollection<UInt8>())
    /// keccak256(rlp("")) = keccak256([0x80]): the root of the empty trie,
    /// the storage root of an account without storage.
    public static let trieRoot = keccak256(CollectionOfOne<UInt8>(0x80))
    /// keccak256(rlp([])) = keccak256([0xc0]): the ommers hash of a
    /// post-merge block and the logs hash of no logs.
    public static let emptyListHash = keccak256(CollectionOfOne<UInt8>(0xC0))
}

/// The Keccak-256 digests of `messages`, in order, computed as one batch on
/// the multi-buffer kernel (one message per SIMD lane). The messages are
/// packed into one buffer first so that every pointer the kernel reads is
/// stable for the whole call.
public func keccak256Batch(_ messages: [[UInt8]]) -> [Bytes32] {
    let count = messages.count
    guard count > 0 else { return [] }
    var packed = [UInt8]()
    packed.reserveCapacity(messages.reduce(0) { $0 + $1.count })
    var offsets = [Int]()
    offsets.reserveCapacity(count)
    for message in messages {
        offsets.append(packed.count)
        packed.append(contentsOf: message)
    }
    return packed.withUnsafeBufferPointer { bytes -> [Bytes32] in
        // baseAddress is nil only when every message is empty, and the
        // kernel accepts NULL for a zero length.
        var pointers = [UnsafePointer<UInt8>?](repeating: nil, count: count)
        var lengths = [Int](repeating: 0, count: count)
        for index in 0..<count {
            pointers[index] = bytes.baseAddress.map { $0 + offsets[index] }
            lengths[index] = messages[index].count
        }
        var digests = [UInt8](repeating: 0, count: 32 * count)
        digests.withUnsafeMutableBytes { out in
            out.baseAddress!.withMemoryRebound(
                to: DigestRow.self,
                capacity: count
            ) { rows in
                px_keccak256_batch(pointers, lengths, count, rows)
            }
        }
        return digests.withUnsafeBytes { out in
            (0..<count).map { Bytes32(loadingFrom: out.baseAddress! + 32 * $0) }
        }
    }
}
