/// The value stored under a state key: bytes of any length (an empty value
/// is a value; an absent key is `nil` where a `StateValue?` is expected).
@frozen
public struct StateValue: Hashable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    @inlinable public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Eight bytes, little-endian: the encoding of balances and counters.
    @inlinable
    public init(uint64 value: UInt64) {
        bytes = [UInt8](unsafeUninitializedCapacity: 8) { buffer, count in
            for offset in 0..<8 { buffer[offset] = UInt8(truncatingIfNeeded: value >> UInt64(8 * offset)) }
            count = 8
        }
    }

    /// The first eight bytes read little-endian (missing bytes are zero).
    @inlinable
    public var uint64Value: UInt64 {
        var value: UInt64 = 0
        for offset in 0..<Swift.min(8, bytes.count) { value |= UInt64(bytes[offset]) << UInt64(8 * offset) }
        return value
    }

    public var description: String { "\(bytes.count) bytes" }
}
