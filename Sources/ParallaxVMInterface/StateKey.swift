/// A 32-byte state key, held as four 64-bit words so that hashing and
/// comparing cost a few integer instructions.
///
/// Word `w0` holds bytes 0..<8 big-endian, `w1` bytes 8..<16, and so on, so
/// that `<` on keys is the lexicographic order of their bytes.
@frozen
public struct StateKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Bytes 0..<8 of the key, big-endian.
    public var w0: UInt64
    /// Bytes 8..<16, big-endian.
    public var w1: UInt64
    /// Bytes 16..<24, big-endian.
    public var w2: UInt64
    /// Bytes 24..<32, big-endian.
    public var w3: UInt64

    /// A key from its four words (`w0` holds the first 8 bytes, big-endian).
    @inlinable
    public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// A key from exactly 32 bytes.
    public init(bytes: some Collection<UInt8>) throws(StateKeyError) {
        guard bytes.count == 32 else { throw .wrongLength(bytes.count) }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (offset, byte) in bytes.enumerated() {
            let shift = UInt64(56 - 8 * (offset % 8))
            switch offset / 8 {
            case 0: words.0 |= UInt64(byte) << shift
            case 1: words.1 |= UInt64(byte) << shift
            case 2: words.2 |= UInt64(byte) << shift
            default: words.3 |= UInt64(byte) << shift
            }
        }
        self.init(words.0, words.1, words.2, words.3)
    }

    /// The 32 bytes of the key.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(32)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return result
    }

    /// A well-mixed 64-bit digest of the key (not keyed: use it for tables
    /// whose keys are already hashes, such as account addresses).
    @inlinable
    public var mixed: UInt64 {
        var h = w0 &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ w1) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 32) ^ w2) &* 0x94D0_49BB_1331_11EB
        h = (h ^ (h >> 29) ^ w3) &* 0x9E37_79B9_7F4A_7C15
        return h ^ (h >> 32)
    }

    /// One combine of the mixed digest instead of four: Swift's `Hasher` is
    /// seeded per process, so this stays safe for dictionaries.
    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(mixed) }

    @inlinable
    public static func == (lhs: StateKey, rhs: StateKey) -> Bool {
        ((lhs.w0 ^ rhs.w0) | (lhs.w1 ^ rhs.w1) | (lhs.w2 ^ rhs.w2) | (lhs.w3 ^ rhs.w3)) == 0
    }

    @inlinable
    public static func < (lhs: StateKey, rhs: StateKey) -> Bool {
        if lhs.w0 != rhs.w0 { return lhs.w0 < rhs.w0 }
        if lhs.w1 != rhs.w1 { return lhs.w1 < rhs.w1 }
        if lhs.w2 != rhs.w2 { return lhs.w2 < rhs.w2 }
        return lhs.w3 < rhs.w3
    }

    /// Lowercase hex of the 32 bytes.
    public var description: String { hexString(words: [w0, w1, w2, w3]) }
}

/// Why bytes could not be made a `StateKey`.
public enum StateKeyError: Error, Equatable, CustomStringConvertible {
    /// The bytes were not 32 long; the associated value is their count.
    case wrongLength(Int)

    public var description: String {
        switch self {
        case .wrongLength(let count): "a state key is 32 bytes, got \(count)"
        }
    }
}

/// Lowercase hex of big-endian 64-bit words.
package func hexString(words: [UInt64]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(words.count * 16)
    for word in words {
        for shift in stride(from: 60, through: 0, by: -4) {
            bytes.append(digits[Int((word >> UInt64(shift)) & 0xF)])
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
