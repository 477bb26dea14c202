import ParallaxVMInterface

/// A participant of the built-in contracts: an account number (the
/// workloads number theirs `0..<accounts`).
///
/// Typed so that an account number never crosses a module boundary as a
/// bare integer; `raw` is what the contracts store in values and events.
@frozen
public struct Account: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The account number, as stored in values and events.
    public var raw: UInt64

    /// The account numbered `raw`.
    @inlinable
    public init(_ raw: UInt64) { self.raw = raw }

    /// The "no account" of events (the zero address of a mint or a burn)
    /// and of empty value fields.
    public static let none = Account(UInt64.max)

    @inlinable
    public static func < (lhs: Account, rhs: Account) -> Bool { lhs.raw < rhs.raw }

    public var description: String { self == .none ? "none" : "#\(raw)" }
}
