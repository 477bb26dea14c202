/// The integer fields of a transaction envelope, each its own type so that a
/// nonce is never passed where a gas limit is meant (docs/architecture.md: typed
/// wrappers over raw integers across module boundaries).

/// The chain a transaction is valid on; signed, so a transaction cannot be
/// replayed on another chain.
public struct ChainID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// The chain numbered `rawValue`.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "chain \(rawValue)" }
}

/// The sender's sequence number: the n-th transaction of a sender carries n.
public struct Nonce: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// The nonce `rawValue`.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Nonce, rhs: Nonce) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "nonce \(rawValue)" }
}

/// The most gas the transaction may consume.
public struct GasLimit: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// A limit of `rawValue` gas.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: GasLimit, rhs: GasLimit) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "gas limit \(rawValue)" }
}

/// The fee the sender offers per unit of gas, in the chain's smallest unit;
/// the charge is gas used times this fee.
public struct Fee: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// A fee of `rawValue` per unit of gas.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Fee, rhs: Fee) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "fee \(rawValue)/gas" }
}
