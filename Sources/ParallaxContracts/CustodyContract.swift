import ParallaxVMInterface

/// Supply-chain custody: an item moves created → shipped → received → sold,
/// each step by the party holding it; a step out of that order reverts.
///
/// ```
///   create (manufacturer)     ship (custodian → carrier,      receive (the named      sell (retailer → buyer,
///  ───────────────────► Created ──── names a retailer) ──► Shipped ── retailer) ──► Received ── buyer pays) ──► Sold
/// ```
///
/// State layout (`ContractKey`, contract `supplyChain`):
///
/// | key | value |
/// |---|---|
/// | `(supplyChain, item, itemId)` | 16 bytes: word 0 = stage (low 8 bits) \| custodian << 8; word 1 = the retailer a shipment is bound for (`Account.none` otherwise) |
/// | `(native, balance, account)` | the buyer pays the retailer `price` in native currency on `sell` |
///
/// Every step emits an event whose topic is the stage reached and whose
/// data is `(itemId, new custodian)`.
public enum CustodyLayout {
    /// The custody record of `item` (a `CustodyRecord`; absent: not created).
    @inlinable
    public static func itemKey(_ item: UInt64) -> StateKey { ContractKey.make(.supplyChain, field: 1, item) }
}

/// Custody stages in order; raw values are stored in the item's value.
public enum CustodyStage: UInt8, Sendable, Equatable, CustomStringConvertible {
    /// Made by the manufacturer (`created`), handed to a carrier (`shipped`), taken by the named retailer (`received`), sold to a buyer (`sold`).
    case created = 1, shipped, received, sold

    public var description: String {
        switch self {
        case .created: "created"
        case .shipped: "shipped"
        case .received: "received"
        case .sold: "sold"
        }
    }
}

/// The decoded value of an item key.
public struct CustodyRecord: Sendable, Equatable {
    /// How far the item has come.
    public var stage: CustodyStage
    /// Who holds the item now.
    public var custodian: Account
    /// The retailer a shipment is bound for (`Account.none` when not shipped).
    public var destination: Account

    /// A record with these fields.
    @inlinable
    public init(stage: CustodyStage, custodian: Account, destination: Account = .none) {
        self.stage = stage
        self.custodian = custodian
        self.destination = destination
    }

    /// The record a stored value holds, or nil when the value is not a record.
    @inlinable
    public init?(_ value: StateValue) {
        let (word0, word1) = Encoding.unpair(value)
        guard let stage = CustodyStage(rawValue: UInt8(truncatingIfNeeded: word0)) else { return nil }
        self.init(stage: stage, custodian: Account(word0 >> 8), destination: Account(word1))
    }

    /// Accounts are below 2^56 (workloads have at most `Int` accounts).
    @inlinable
    public var value: StateValue {
        Encoding.pair(UInt64(stage.rawValue) | custodian.raw << 8, destination.raw)
    }
}

/// One custody step on `item` by `sender`.
public struct CustodyTransaction: Transaction {
    /// The step a custody transaction takes.
    public enum Step: Sendable, Equatable {
        /// The sender creates the item and holds it.
        case create
        /// The custodian hands the item to `carrier`, bound for `retailer`.
        case ship(carrier: Account, retailer: Account)
        /// The retailer the shipment is bound for takes the item.
        case receive
        /// The retailer sells the item to `buyer`, who pays `price` in native currency.
        case sell(buyer: Account, price: UInt64)
    }

    /// The item the step is about.
    public var item: UInt64
    /// The account that takes the step and pays its fee.
    public var sender: Account
    /// The step.
    public var step: Step

    /// A `step` on `item` by `sender`.
    public init(item: UInt64, sender: Account, step: Step) {
        self.item = item
        self.sender = sender
        self.step = step
    }

    public var gasLimit: UInt64 { 60_000 }
    /// The fee per unit of gas (`feePolicy`); under the pipeline the signed one replaces it.
    public var gasPrice: UInt64 { 1 }
    /// The built-in fee: `gasUsed * gasPrice` from the sender's native balance.
    public var feePolicy: FeePolicy { NativeToken.fee(of: sender, pricePerGas: gasPrice, beneficiary: feeBeneficiary) }
    /// Where the fee goes (the generators set the block beneficiary).
    public var feeBeneficiary: FeeBeneficiary? = nil
    /// Gas the contract charges for its logic, beyond the context's per-access gas.
    public static let logicGas: UInt64 = 250

    /// Every key `execute` may touch.
    public var accessedKeys: [StateKey] {
        switch step {
        case .sell(let buyer, _): [CustodyLayout.itemKey(item), NativeToken.balanceKey(buyer), NativeToken.balanceKey(sender)]
        default: [CustodyLayout.itemKey(item)]
        }
    }

    /// Every key of `accessedKeys` is written.
    public var declaredAccess: DeclaredAccess? { DeclaredAccess(writes: accessedKeys) }

    /// Why a step reverts.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// `create` of an item that exists.
        case alreadyExists(item: UInt64)
        /// The step found the item absent (`found == nil`) or in another stage.
        case outOfOrder(item: UInt64, found: CustodyStage?, required: CustodyStage)
        /// The sender does not hold the item.
        case notCustodian(item: UInt64, Account)
        /// The sender is not the retailer the shipment is bound for.
        case notDestination(item: UInt64, Account)
        /// The buyer's native balance is below the price.
        case buyerCannotPay(Account, have: UInt64, price: UInt64)

        public var description: String {
            switch self {
            case .alreadyExists(let item): "supply chain: item \(item) already exists"
            case .outOfOrder(let item, let found, let required):
                "supply chain: item \(item) is \(found.map(\.description) ?? "absent"), the step needs \(required)"
            case .notCustodian(let item, let account): "supply chain: \(account) does not hold item \(item)"
            case .notDestination(let item, let account): "supply chain: item \(item) is not bound for \(account)"
            case .buyerCannotPay(let buyer, let have, let price): "supply chain: buyer \(buyer) has \(have), price \(price)"
            }
        }
    }

    public func execute(in context: ExecutionContext) throws { try execute(in: context, work: NoContractWork()) }

    /// `execute(in:)` with the benchmark's work placed (`ContractWorkHook`).
    @inlinable
    package func execute(in context: ExecutionContext, work: some ContractWorkHook) throws {
        work.entry(seed: item ^ sender.raw)
        try context.chargeGas(CustodyTransaction.logicGas)
        let key = CustodyLayout.itemKey(item)
        let record = try context.read(key).flatMap(CustodyRecord.init)
        let next: CustodyRecord
        switch step {
        case .create:
            guard record == nil else { throw Failure.alreadyExists(item: item) }
            next = CustodyRecord(stage: .created, custodian: sender)
        case .ship(let carrier, let retailer):
            let current = try require(record, .created)
            guard current.custodian == sender else { throw Failure.notCustodian(item: item, sender) }
            next = CustodyRecord(stage: .shipped, custodian: carrier, destination: retailer)
        case .receive:
            let current = try require(record, .shipped)
            guard current.destination == sender else { throw Failure.notDestination(item: item, sender) }
            next = CustodyRecord(stage: .received, custodian: sender)
        case .sell(let buyer, let price):
            let current = try require(record, .received)
            guard current.custodian == sender else { throw Failure.notCustodian(item: item, sender) }
            let buyerKey = NativeToken.balanceKey(buyer)
            let funds = try context.read(buyerKey)?.uint64Value ?? 0
            guard funds >= price else { throw Failure.buyerCannotPay(buyer, have: funds, price: price) }
            try context.write(buyerKey, StateValue(uint64: funds - price))
            let sellerKey = NativeToken.balanceKey(sender)
            let proceeds = try context.read(sellerKey)?.uint64Value ?? 0
            try context.write(sellerKey, StateValue(uint64: proceeds &+ price))
            next = CustodyRecord(stage: .sold, custodian: buyer)
        }
        work.body(seed: item ^ next.custodian.raw)
        try context.write(key, next.value)
        try context.emit(Event(topic: UInt64(next.stage.rawValue), data: Encoding.words(item, next.custodian.raw)))
    }

    @inlinable
    func require(_ record: CustodyRecord?, _ stage: CustodyStage) throws -> CustodyRecord {
        guard let record, record.stage == stage else { throw Failure.outOfOrder(item: item, found: record?.stage, required: stage) }
        return record
    }
}
