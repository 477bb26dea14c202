import ParallaxExecution

/// A participant of the built-in contracts: an account number in
/// `0..<accounts` of the workload that created it.
///
/// Typed so that an account number never crosses a module boundary as a
/// bare integer; `raw` is what the contracts store in values and events.
@frozen
public struct Account: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var raw: UInt64

    @inlinable
    public init(_ raw: UInt64) { self.raw = raw }

    /// The "no account" of events (the zero address of a mint or a burn)
    /// and of empty value fields.
    public static let none = Account(UInt64.max)

    /// The block beneficiary the built-in workloads credit fees to (outside
    /// every workload's account range).
    public static let beneficiary = Account(UInt64.max - 1)

    /// The hot deposit address of a workload with `accounts` accounts (its
    /// last account: rarely a sender under Zipf skew).
    public static func deposit(_ accounts: Int) -> Account { Account(UInt64(accounts - 1)) }

    @inlinable
    public static func < (lhs: Account, rhs: Account) -> Bool { lhs.raw < rhs.raw }

    public var description: String { self == .none ? "none" : "#\(raw)" }
}
