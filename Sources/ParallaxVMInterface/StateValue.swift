/// The value stored under a state key: bytes of any length (an empty value
/// is a value; an absent key is `nil` where a `StateValue?` is expected).
///
/// Values of up to 16 bytes, such as balances and counters, are stored
/// inline in two words, so creating, copying and reading them allocates
/// nothing and touches no reference count (a shared reference count would
/// bounce between the cores of workers that read the same value). Longer
/// values live in an array. The representation is canonical (a length
/// decides it, unused inline bytes are zero), so the synthesized equality
/// and hashing compare contents.
@frozen
public struct StateValue: Hashable, Sendable, CustomStringConvertible {
    /// The longest value stored inline, without an allocation: 16 bytes.
    public static let inlineCapacity = 16

    @frozen @usableFromInline
    package enum Storage: Hashable, Sendable {
        /// Bytes little-endian in `low` then `high`; `count` at most 16.
        case inline(low: UInt64, high: UInt64, count: UInt8)
        case heap([UInt8])
    }

    @usableFromInline package var storage: Storage

    /// A value holding `bytes` (any length; an empty array is an empty value, not an absent key).
    public init(_ bytes: [UInt8]) {
        guard bytes.count <= StateValue.inlineCapacity else {
            storage = .heap(bytes)
            return
        }
        var low: UInt64 = 0
        var high: UInt64 = 0
        for (offset, byte) in bytes.enumerated() {
            if offset < 8 { low |= UInt64(byte) << UInt64(8 * offset) } else { high |= UInt64(byte) << UInt64(8 * (offset - 8)) }
        }
        storage = .inline(low: low, high: high, count: UInt8(bytes.count))
    }

    /// Eight bytes, little-endian: the encoding of balances and counters.
    @inlinable
    public init(uint64 value: UInt64) {
        storage = .inline(low: value, high: 0, count: 8)
    }

    /// Number of bytes.
    @inlinable
    public var count: Int {
        switch storage {
        case .inline(_, _, let count): Int(count)
        case .heap(let bytes): bytes.count
        }
    }

    /// The bytes (allocates for inline values; prefer `withUnsafeBytes` on hot paths).
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the bytes.
    @inlinable
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch storage {
        case .inline(let low, let high, let count):
            var words = (low.littleEndian, high.littleEndian)
            return try Swift.withUnsafeBytes(of: &words) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(count)])) }
        case .heap(let bytes):
            return try bytes.withUnsafeBytes(body)
        }
    }

    /// The first eight bytes read little-endian (missing bytes are zero).
    @inlinable
    public var uint64Value: UInt64 {
        switch storage {
        case .inline(let low, _, _): low
        case .heap(let bytes):
            bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        }
    }

    public var description: String { "\(count) bytes" }
}
