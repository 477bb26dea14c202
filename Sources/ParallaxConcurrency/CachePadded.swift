/// A value kept alone on its cache lines.
///
/// Swift cannot over-align a stored property, so instead of aligning the value
/// this pads 128 bytes on each side: whatever the address of the wrapper, no
/// other data shares the value's 64-byte line or the adjacent line that a
/// pair-prefetching L2 pulls with it. Use it for hot per-thread counters and
/// atomics that Swift owns; words that C owns live in `SlotArray`.
@frozen
public struct CachePadded<Value: ~Copyable>: ~Copyable {
    @usableFromInline var leading: Padding = Padding()
    public var value: Value
    @usableFromInline var trailing: Padding = Padding()

    @inlinable
    public init(_ value: consuming Value) { self.value = value }
}

extension CachePadded: Copyable where Value: Copyable {}
extension CachePadded: Sendable where Value: Sendable & ~Copyable {}

/// 128 bytes of padding.
@frozen @usableFromInline
struct Padding: Sendable {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                  UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    @inlinable init() { words = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }
}
