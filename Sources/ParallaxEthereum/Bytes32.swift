/// A 32-byte value: a Keccak-256 digest, a trie root, a log topic, a storage
/// word seen as bytes.
///
/// Stored as four 64-bit words, `w0` holding bytes 0..<8 as a big-endian
/// integer, so that equality and hashing are four word compares and the
/// derived lexicographic byte order is the order of `(w0, w1, w2, w3)`.
/// Invariant: `bytes` is `w0.bigEndian ++ w1.bigEndian ++ w2.bigEndian ++ w3.bigEndian`.
@frozen public struct Bytes32: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Bytes 0..<8, 8..<16, 16..<24, 24..<32, each read as a big-endian integer.
    public var w0, w1, w2, w3: UInt64

    public static let byteCount = 32
    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    @inlinable
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Reads 32 bytes at `pointer` (no alignment required).
    @inlinable
    public init(loadingFrom pointer: UnsafeRawPointer) {
        w0 = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// `nil` unless `bytes` holds exactly 32 bytes.
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Bytes32.byteCount else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = 0
        for byte in bytes {
            let shifted = UInt64(byte) << UInt64(8 * (7 - index & 7))
            switch index >> 3 {
            case 0: words.0 |= shifted
            case 1: words.1 |= shifted
            case 2: words.2 |= shifted
            default: words.3 |= shifted
            }
            index += 1
        }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// `nil` unless `hex` is exactly 64 hex digits, with or without `0x`.
    public init?(hex: String) {
        guard let bytes = try? Hex.decode(hex), let value = Bytes32(bytes: bytes) else { return nil }
        self = value
    }

    /// Writes the 32 bytes at `pointer` (no alignment required).
    @inlinable
    public func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: w0.bigEndian, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Bytes32.byteCount) { buffer, count in
            store(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = Bytes32.byteCount
        }
    }

    /// The value as a 256-bit big-endian integer (EVM word order: byte 0 most significant).
    @inlinable
    public var word: UInt256 {
        get { UInt256(w3, w2, w1, w0) }
        set { self = Bytes32(word: newValue) }
    }

    @inlinable
    public init(word: UInt256) {
        self.init(w0: word.l3, w1: word.l2, w2: word.l1, w3: word.l0)
    }

    @inlinable
    public static func < (lhs: Bytes32, rhs: Bytes32) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }

    /// "0x" followed by 64 lowercase hex digits.
    public var description: String { Hex.encode(bytes) }
}
