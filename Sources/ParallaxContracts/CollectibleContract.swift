import ParallaxVMInterface

/// Non-fungible token collections (ERC-721 ownership and balances) with a
/// mint counter per collection and a supply cap.
///
/// State layout (`ContractKey`, contract `nft`):
///
/// | key | value |
/// |---|---|
/// | `(nft, cap, collection)` | supply cap, `UInt64` LE (absent: no such collection) |
/// | `(nft, nextId, collection)` | tokens minted so far = the next token id, `UInt64` LE — every mint of the collection reads and writes it: a hot key by nature |
/// | `(nft, owner, collection, tokenId)` | owner account, `UInt64` LE (absent: not minted) |
/// | `(nft, holdings, collection, account)` | number of the collection's tokens the account owns (`balanceOf`), `UInt64` LE |
///
/// Events: `Transfer(from, to, tokenId)`, from `Account.none` for a mint.
public enum CollectibleLayout {
    /// The supply cap of `collection` (absent: no such collection).
    @inlinable
    public static func capKey(collection: UInt64) -> StateKey { ContractKey.make(.nft, field: 1, collection) }

    /// The number of tokens minted so far in `collection`, which is the next token id.
    @inlinable
    public static func nextIdKey(collection: UInt64) -> StateKey { ContractKey.make(.nft, field: 2, collection) }

    /// The owner of token `tokenId` of `collection` (absent: not minted).
    @inlinable
    public static func ownerKey(collection: UInt64, tokenId: UInt64) -> StateKey { ContractKey.make(.nft, field: 3, collection, tokenId) }

    /// How many tokens of `collection` `account` owns (`balanceOf`).
    @inlinable
    public static func holdingsKey(collection: UInt64, _ account: Account) -> StateKey {
        ContractKey.make(.nft, field: 4, collection, account.raw)
    }
}

/// A mint into a collection or a transfer of one token by its owner.
public struct CollectibleTransaction: Transaction {
    /// What the sender does.
    public enum Call: Sendable, Equatable {
        /// Mints the collection's next token id to the sender.
        case mint
        /// Transfers `tokenId` from the sender, who must own it, to `to`.
        case transfer(tokenId: UInt64, to: Account)
    }

    /// The collection the call is about.
    public var collection: UInt64
    /// The account that sends the call and pays its fee.
    public var sender: Account
    /// The mint or the transfer.
    public var call: Call

    /// A call by `sender` on `collection`.
    public init(collection: UInt64, sender: Account, call: Call) {
        self.collection = collection
        self.sender = sender
        self.call = call
    }

    public var gasLimit: UInt64 { 80_000 }
    /// The fee per unit of gas (`feePolicy`); under the pipeline the signed one replaces it.
    public var gasPrice: UInt64 { 1 }
    /// The built-in fee: `gasUsed * gasPrice` from the sender's native balance.
    public var feePolicy: FeePolicy { NativeToken.fee(of: sender, pricePerGas: gasPrice, beneficiary: feeBeneficiary) }
    /// Where the fee goes (the generators set the block beneficiary).
    public var feeBeneficiary: FeeBeneficiary? = nil
    /// Gas the contract charges for its logic, beyond the context's per-access gas.
    public static let logicGas: UInt64 = 400

    /// Keys `execute` may touch; a mint's token id is only known at run
    /// time, so a mint declares the owner key of no token (nil).
    public var accessedKeys: [StateKey]? {
        switch call {
        case .mint: nil
        case .transfer(let tokenId, let to):
            [CollectibleLayout.ownerKey(collection: collection, tokenId: tokenId),
             CollectibleLayout.holdingsKey(collection: collection, sender),
             CollectibleLayout.holdingsKey(collection: collection, to)]
        }
    }

    /// Transfers write their three keys; a mint is undeclared (its token
    /// id, hence its owner key, is only known at run time), so the
    /// declared-access executor runs it alone.
    public var declaredAccess: DeclaredAccess? { accessedKeys.map { DeclaredAccess(writes: $0) } }

    /// Why a call reverts.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The collection has no supply cap: it does not exist.
        case unknownCollection(UInt64)
        /// Every token up to the cap is minted.
        case supplyCapReached(cap: UInt64)
        /// The token was never minted.
        case nonexistentToken(UInt64)
        /// The account does not own the token.
        case notOwner(Account, tokenId: UInt64)
        /// The token id the mint would take already has an owner.
        case alreadyMinted(UInt64)

        public var description: String {
            switch self {
            case .unknownCollection(let collection): "NFT: no collection \(collection)"
            case .supplyCapReached(let cap): "NFT: supply cap \(cap) reached"
            case .nonexistentToken(let tokenId): "NFT: token \(tokenId) does not exist"
            case .notOwner(let account, let tokenId): "NFT: \(account) does not own token \(tokenId)"
            case .alreadyMinted(let tokenId): "NFT: token \(tokenId) already minted"
            }
        }
    }

    public func execute(in context: ExecutionContext) throws { try execute(in: context, work: NoContractWork()) }

    /// `execute(in:)` with the benchmark's work placed (`ContractWorkHook`).
    @inlinable
    package func execute(in context: ExecutionContext, work: some ContractWorkHook) throws {
        work.entry(seed: sender.raw ^ collection)
        try context.chargeGas(CollectibleTransaction.logicGas)
        switch call {
        case .mint:
            guard let cap = try context.read(CollectibleLayout.capKey(collection: collection))?.uint64Value else {
                throw Failure.unknownCollection(collection)
            }
            let nextIdKey = CollectibleLayout.nextIdKey(collection: collection)
            let tokenId = try context.read(nextIdKey)?.uint64Value ?? 0
            guard tokenId < cap else { throw Failure.supplyCapReached(cap: cap) }
            let ownerKey = CollectibleLayout.ownerKey(collection: collection, tokenId: tokenId)
            guard try context.read(ownerKey) == nil else { throw Failure.alreadyMinted(tokenId) }
            work.body(seed: tokenId)
            try context.write(nextIdKey, StateValue(uint64: tokenId + 1))
            try context.write(ownerKey, StateValue(uint64: sender.raw))
            try adjustHoldings(of: sender, by: 1, in: context)
            try context.emit(Event(topic: EventTopic.transfer, data: Encoding.words(Account.none.raw, sender.raw, tokenId)))
        case .transfer(let tokenId, let to):
            let ownerKey = CollectibleLayout.ownerKey(collection: collection, tokenId: tokenId)
            guard let owner = try context.read(ownerKey)?.uint64Value else { throw Failure.nonexistentToken(tokenId) }
            guard owner == sender.raw else { throw Failure.notOwner(sender, tokenId: tokenId) }
            work.body(seed: owner ^ tokenId)
            try context.write(ownerKey, StateValue(uint64: to.raw))
            try adjustHoldings(of: sender, by: -1, in: context)
            try adjustHoldings(of: to, by: 1, in: context)
            try context.emit(Event(topic: EventTopic.transfer, data: Encoding.words(sender.raw, to.raw, tokenId)))
        }
    }

    /// Holdings of an owner are at least 1 (the invariant `sum of holdings
    /// == tokens minted` holds from the initial state on).
    @inlinable
    func adjustHoldings(of account: Account, by change: Int, in context: ExecutionContext) throws {
        let key = CollectibleLayout.holdingsKey(collection: collection, account)
        let held = try context.read(key)?.uint64Value ?? 0
        try context.write(key, StateValue(uint64: change >= 0 ? held &+ UInt64(change) : held &- UInt64(-change)))
    }
}
