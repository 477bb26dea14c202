/// The height of a committed block: block 1 is the first block after
/// genesis, and a store holding only its genesis state is at height 0.
///
/// A typed wrapper so that a height never crosses a module boundary as a
/// bare integer (and is never confused with a transaction index).
@frozen
public struct BlockHeight: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The height as an integer.
    public let rawValue: UInt64

    /// A height from its integer value.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// A height from its integer value.
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The height of a store that holds only its genesis state.
    public static let genesis = BlockHeight(0)

    /// The height of the block after this one.
    @inlinable public var next: BlockHeight { BlockHeight(rawValue + 1) }

    @inlinable public static func < (lhs: BlockHeight, rhs: BlockHeight) -> Bool { lhs.rawValue < rhs.rawValue }

    /// "height N".
    public var description: String { "height \(rawValue)" }
}
