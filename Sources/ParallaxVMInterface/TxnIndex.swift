/// The position of a transaction in its block (0-based).
///
/// Block-STM orders everything by this index: the result of a block is the
/// result of executing its transactions one after another in index order.
@frozen
public struct TxnIndex: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    /// The transaction at position `rawValue` of its block.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The transaction at position `rawValue` of its block.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The index as an array subscript.
    @inlinable public var position: Int { Int(rawValue) }

    @inlinable public static func < (lhs: TxnIndex, rhs: TxnIndex) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "txn\(rawValue)" }
}

/// How many times a transaction has been (re)started in one block: 0 for the
/// first execution, +1 for each abort or dependency suspension.
@frozen
public struct Incarnation: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    /// Incarnation number `rawValue`.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Incarnation number `rawValue`.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The incarnation after this one.
    @inlinable public var next: Incarnation { Incarnation(rawValue &+ 1) }

    @inlinable public static func < (lhs: Incarnation, rhs: Incarnation) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "inc\(rawValue)" }
}
