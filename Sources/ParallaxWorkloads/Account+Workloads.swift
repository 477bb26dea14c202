import ParallaxContracts

/// The accounts the built-in workloads give a role.
extension Account {
    /// The block beneficiary the built-in workloads credit fees to (outside
    /// every workload's account range).
    public static let beneficiary = Account(UInt64.max - 1)

    /// The hot deposit address of a workload with `accounts` accounts (its
    /// last account: rarely a sender under Zipf skew).
    public static func deposit(_ accounts: Int) -> Account { Account(UInt64(accounts - 1)) }
}
