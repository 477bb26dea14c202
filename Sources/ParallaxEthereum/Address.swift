/// A 20-byte Ethereum account address.
///
/// Stored as three words, `hi` holding bytes 0..<4 and `mid`, `lo` bytes
/// 4..<12 and 12..<20, each a big-endian integer, so that equality and hashing
/// are three word compares and the derived lexicographic byte order is the
/// order of `(hi, mid, lo)`. The address of an account is the low 160 bits of
/// keccak256 of its uncompressed public key without the 0x04 prefix (Yellow
/// Paper, section 7 and appendix F); `init(word:)` takes the low 160 bits of an
/// EVM word as the CALL family and ADDRESS do.
@frozen public struct Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Bytes 0..<4, 4..<12 and 12..<20, each read as a big-endian integer.
    public var hi: UInt32
    public var mid: UInt64
    public var lo: UInt64

    public static let byteCount = 20
    public static let zero = Address(hi: 0, mid: 0, lo: 0)

    @inlinable
    public init(hi: UInt32, mid: UInt64, lo: UInt64) {
        self.hi = hi
        self.mid = mid
        self.lo = lo
    }

    /// Reads 20 bytes at `pointer` (no alignment required).
    @inlinable
    public init(loadingFrom pointer: UnsafeRawPointer) {
        hi = UInt32(bigEndian: pointer.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        mid = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
        lo = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
    }

    /// `nil` unless `bytes` holds exactly 20 bytes.
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Address.byteCount else { return nil }
        var hi: UInt32 = 0, mid: UInt64 = 0, lo: UInt64 = 0
        var index = 0
        for byte in bytes {
            switch index {
            case 0..<4: hi = hi << 8 | UInt32(byte)
            case 4..<12: mid = mid << 8 | UInt64(byte)
            default: lo = lo << 8 | UInt64(byte)
            }
            index += 1
        }
        self.init(hi: hi, mid: mid, lo: lo)
    }

    /// `nil` unless `hex` is exactly 40 hex digits, with or without `0x`.
    public init?(hex: String) {
        guard let bytes = try? Hex.decode(hex), let value = Address(bytes: bytes) else { return nil }
        self = value
    }

    /// The low 160 bits of `word` (EVM semantics for an address operand).
    /// The word layout matches the storage: `lo` is limb 0, `mid` limb 1 and
    /// `hi` the low half of limb 2.
    @inlinable
    public init(word: UInt256) {
        self.init(hi: UInt32(truncatingIfNeeded: word.l2), mid: word.l1, lo: word.l0)
    }

    /// The address as an EVM word: zero in the high 96 bits.
    @inlinable
    public var word: UInt256 { UInt256(lo, mid, UInt64(hi), 0) }

    /// Writes the 20 bytes at `pointer` (no alignment required).
    @inlinable
    public func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: hi.bigEndian, toByteOffset: 0, as: UInt32.self)
        pointer.storeBytes(of: mid.bigEndian, toByteOffset: 4, as: UInt64.self)
        pointer.storeBytes(of: lo.bigEndian, toByteOffset: 12, as: UInt64.self)
    }

    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Address.byteCount) { buffer, count in
            store(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = Address.byteCount
        }
    }

    @inlinable
    public static func < (lhs: Address, rhs: Address) -> Bool {
        (lhs.hi, lhs.mid, lhs.lo) < (rhs.hi, rhs.mid, rhs.lo)
    }

    /// "0x" followed by 40 lowercase hex digits.
    public var description: String { Hex.encode(bytes) }
}
