import ParallaxVMInterface

/// An ERC-20 fungible token (EIP-20 rules plus a minter's mint and a
/// holder's burn, as OpenZeppelin's `ERC20` with `ERC20Burnable`).
///
/// State layout (`ContractKey`, contract `erc20`; `token` is a token number,
/// so one layout serves many tokens, as the AMM's do):
///
/// | key | value |
/// |---|---|
/// | `(erc20, balance, token, account)` | balance, `UInt64` LE |
/// | `(erc20, allowance, token, owner, spender)` | remaining allowance, `UInt64` LE (`UInt64.max`: unlimited, never decremented) |
/// | `(erc20, totalSupply, token)` | total supply, `UInt64` LE |
/// | `(erc20, minter, token)` | the account allowed to mint, `UInt64` LE |
///
/// Events: `Transfer` (also for mints and burns, with `Account.none` as the
/// zero address) and `Approval`; data `from, to, amount` (or `owner,
/// spender, amount`) as three `UInt64` LE.
public enum TokenLayout {
    /// The balance of `account` in `token`.
    @inlinable
    public static func balanceKey(token: UInt64, _ account: Account) -> StateKey {
        ContractKey.make(.erc20, field: 1, token, account.raw)
    }

    /// What `spender` may still move from `owner`'s balance of `token` (`UInt64.max`: unlimited).
    @inlinable
    public static func allowanceKey(token: UInt64, owner: Account, spender: Account) -> StateKey {
        ContractKey.make(.erc20, field: 2, token, owner.raw, spender.raw)
    }

    /// The total supply of `token`.
    @inlinable
    public static func totalSupplyKey(token: UInt64) -> StateKey { ContractKey.make(.erc20, field: 3, token) }

    /// The account allowed to mint `token`.
    @inlinable
    public static func minterKey(token: UInt64) -> StateKey { ContractKey.make(.erc20, field: 4, token) }
}

/// One call of the token contract by `sender`.
public struct TokenTransaction: Transaction {
    /// A call of the token contract.
    public enum Call: Sendable, Equatable {
        /// Moves `amount` from the sender to `to`.
        case transfer(to: Account, amount: UInt64)
        /// Sets the sender's allowance to `spender` to `amount`.
        case approve(spender: Account, amount: UInt64)
        /// By the spender (`sender`), from an owner's allowance to it.
        case transferFrom(owner: Account, to: Account, amount: UInt64)
        /// Only by the token's minter.
        case mint(to: Account, amount: UInt64)
        /// Destroys `amount` of the sender's balance.
        case burn(amount: UInt64)
    }

    /// The token number.
    public var token: UInt64
    /// The account that makes the call and pays its fee.
    public var sender: Account
    /// What the call does.
    public var call: Call

    /// A call of `token` by `sender`.
    public init(token: UInt64, sender: Account, call: Call) {
        self.token = token
        self.sender = sender
        self.call = call
    }

    public var gasLimit: UInt64 { 60_000 }
    /// The fee per unit of gas (`feePolicy`); under the pipeline the signed one replaces it.
    public var gasPrice: UInt64 { 1 }
    /// The built-in fee: `gasUsed * gasPrice` from the sender's native balance.
    public var feePolicy: FeePolicy { NativeToken.fee(of: sender, pricePerGas: gasPrice, beneficiary: feeBeneficiary) }
    /// Where the fee goes (the generators set the block beneficiary).
    public var feeBeneficiary: FeeBeneficiary? = nil
    /// Total-supply updates by delta writes (no dependency on the supply)
    /// instead of read-modify-writes; same outcome.
    public var supplyByDelta = false
    /// The recipient's credit by a delta write; same outcome.
    public var creditByDelta = false
    /// Contract logic beyond the context's state-access costs (dispatch,
    /// checks, arithmetic).
    public static let logicGas: UInt64 = 300

    /// Every key `execute` may touch.
    public var accessedKeys: [StateKey] {
        switch call {
        case .transfer(let to, _):
            [TokenLayout.balanceKey(token: token, sender), TokenLayout.balanceKey(token: token, to)]
        case .approve(let spender, _):
            [TokenLayout.allowanceKey(token: token, owner: sender, spender: spender)]
        case .transferFrom(let owner, let to, _):
            [TokenLayout.allowanceKey(token: token, owner: owner, spender: sender),
             TokenLayout.balanceKey(token: token, owner), TokenLayout.balanceKey(token: token, to)]
        case .mint(let to, _):
            [TokenLayout.minterKey(token: token), TokenLayout.totalSupplyKey(token: token), TokenLayout.balanceKey(token: token, to)]
        case .burn:
            [TokenLayout.balanceKey(token: token, sender), TokenLayout.totalSupplyKey(token: token)]
        }
    }

    /// A mint only reads the minter; every other key of `accessedKeys` may be written.
    public var declaredAccess: DeclaredAccess? {
        if case .mint(let to, _) = call {
            return DeclaredAccess(reads: [TokenLayout.minterKey(token: token)],
                                  writes: [TokenLayout.totalSupplyKey(token: token), TokenLayout.balanceKey(token: token, to)])
        }
        return DeclaredAccess(writes: accessedKeys)
    }

    /// Why a call reverts.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The account's balance is below the amount.
        case insufficientBalance(Account, have: UInt64, need: UInt64)
        /// The allowance is below the amount.
        case insufficientAllowance(owner: Account, spender: Account, have: UInt64, need: UInt64)
        /// The sender is not the token's minter.
        case notMinter(Account)
        /// The total supply would exceed `UInt64.max`.
        case supplyOverflow
        /// The recipient's balance would exceed `UInt64.max`.
        case balanceOverflow(Account)

        public var description: String {
            switch self {
            case .insufficientBalance(let account, let have, let need): "ERC20: balance of \(account) is \(have), need \(need)"
            case .insufficientAllowance(let owner, let spender, let have, let need):
                "ERC20: allowance of \(spender) from \(owner) is \(have), need \(need)"
            case .notMinter(let account): "ERC20: \(account) is not the minter"
            case .supplyOverflow: "ERC20: total supply would overflow"
            case .balanceOverflow(let account): "ERC20: balance of \(account) would overflow"
            }
        }
    }

    public func execute(in context: ExecutionContext) throws { try execute(in: context, work: NoContractWork()) }

    /// `execute(in:)` with the benchmark's work placed (`ContractWorkHook`).
    @inlinable
    package func execute(in context: ExecutionContext, work: some ContractWorkHook) throws {
        work.entry(seed: sender.raw ^ token)
        try context.chargeGas(TokenTransaction.logicGas)
        switch call {
        case .transfer(let to, let amount):
            try move(amount, from: sender, to: to, in: context, work: work)
        case .approve(let spender, let amount):
            work.body(seed: amount)
            try context.write(TokenLayout.allowanceKey(token: token, owner: sender, spender: spender), StateValue(uint64: amount))
            try context.emit(Event(topic: EventTopic.approval, data: Encoding.words(sender.raw, spender.raw, amount)))
        case .transferFrom(let owner, let to, let amount):
            let allowanceKey = TokenLayout.allowanceKey(token: token, owner: owner, spender: sender)
            let allowance = try context.read(allowanceKey)?.uint64Value ?? 0
            guard allowance >= amount else {
                throw Failure.insufficientAllowance(owner: owner, spender: sender, have: allowance, need: amount)
            }
            if allowance != .max { try context.write(allowanceKey, StateValue(uint64: allowance - amount)) }
            try move(amount, from: owner, to: to, in: context, work: work)
        case .mint(let to, let amount):
            let minter = try context.read(TokenLayout.minterKey(token: token))?.uint64Value
            guard minter == sender.raw else { throw Failure.notMinter(sender) }
            let supplyKey = TokenLayout.totalSupplyKey(token: token)
            if supplyByDelta {
                do { try context.add(supplyKey, amount) } catch is DeltaError { throw Failure.supplyOverflow }
                work.body(seed: amount)
            } else {
                let supply = (try context.read(supplyKey)?.uint64Value ?? 0).addingReportingOverflow(amount)
                guard !supply.overflow else { throw Failure.supplyOverflow }
                work.body(seed: supply.partialValue)
                try context.write(supplyKey, StateValue(uint64: supply.partialValue))
            }
            try credit(amount, to: to, in: context)
            try context.emit(Event(topic: EventTopic.transfer, data: Encoding.words(Account.none.raw, to.raw, amount)))
        case .burn(let amount):
            let balanceKey = TokenLayout.balanceKey(token: token, sender)
            let balance = try context.read(balanceKey)?.uint64Value ?? 0
            guard balance >= amount else { throw Failure.insufficientBalance(sender, have: balance, need: amount) }
            work.body(seed: balance)
            try context.write(balanceKey, StateValue(uint64: balance - amount))
            let supplyKey = TokenLayout.totalSupplyKey(token: token)
            // The supply is the sum of balances, so it covers any balance.
            if supplyByDelta {
                try context.subtract(supplyKey, amount)
            } else {
                let supply = try context.read(supplyKey)?.uint64Value ?? 0
                try context.write(supplyKey, StateValue(uint64: supply &- amount))
            }
            try context.emit(Event(topic: EventTopic.transfer, data: Encoding.words(sender.raw, Account.none.raw, amount)))
        }
    }

    @inlinable
    func move(_ amount: UInt64, from: Account, to: Account, in context: ExecutionContext, work: some ContractWorkHook) throws {
        let fromKey = TokenLayout.balanceKey(token: token, from)
        let balance = try context.read(fromKey)?.uint64Value ?? 0
        guard balance >= amount else { throw Failure.insufficientBalance(from, have: balance, need: amount) }
        work.body(seed: balance)
        try context.write(fromKey, StateValue(uint64: balance - amount))
        try credit(amount, to: to, in: context)
        try context.emit(Event(topic: EventTopic.transfer, data: Encoding.words(from.raw, to.raw, amount)))
    }

    @inlinable
    func credit(_ amount: UInt64, to: Account, in context: ExecutionContext) throws {
        let key = TokenLayout.balanceKey(token: token, to)
        if creditByDelta {
            do { try context.add(key, amount) } catch is DeltaError { throw Failure.balanceOverflow(to) }
            return
        }
        let sum = (try context.read(key)?.uint64Value ?? 0).addingReportingOverflow(amount)
        guard !sum.overflow else { throw Failure.balanceOverflow(to) }
        try context.write(key, StateValue(uint64: sum.partialValue))
    }
}
