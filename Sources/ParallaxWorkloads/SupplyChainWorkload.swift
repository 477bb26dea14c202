import ParallaxContracts
import ParallaxExecution

/// `supply-chain`: each block creates `transactions / 4` new items (ids
/// `block << 32 | k`) and takes every one through ship, receive and sell
/// within the block; the steps of all items are interleaved at random
/// positions, each item's steps in order (the k-th occurrence of an item in
/// a shuffled multiset is its k-th step), so an item's later steps depend
/// on its earlier ones across the block. With probability `outOfOrder`
/// (default 0.02) an item's ship and receive are swapped: the receive
/// reverts, and so does the sell after the ship. Manufacturers, carriers,
/// retailers and buyers are drawn by the shape's Zipf skew; a sale pays the
/// retailer, so popular retailers' balances are the contended keys. Left
/// over positions (`transactions % 4`) create extra items.
public struct SupplyChainWorkload: ContractWorkload {
    public let shape: WorkloadShape
    public let outOfOrder: Double
    let accounts: AccountSampler
    let work: VMWork
    public var name: String { "supply-chain" }

    static let tag: UInt64 = 5

    public init(_ shape: WorkloadShape, outOfOrder: Double = 0.02) throws(WorkloadError) {
        try shape.validate()
        guard (0...1).contains(outOfOrder) else {
            throw WorkloadError(parameter: "out-of-order", reason: "must be between 0 and 1, got \(outOfOrder)")
        }
        self.shape = shape
        self.outOfOrder = outOfOrder
        accounts = try AccountSampler(shape)
        work = VMWork(nanoseconds: shape.workNanoseconds)
    }

    func populate(_ entries: inout [StateKey: StateValue]) { populateNative(&entries) }

    public static func itemId(block: Int, _ k: Int) -> UInt64 { UInt64(truncatingIfNeeded: block) << 32 | UInt64(k) }

    struct Plan {
        var manufacturer: Account
        var carrier: Account
        var retailer: Account
        var buyer: Account
        var swapped: Bool
        var seen = 0
    }

    public func block(_ number: Int, transactions count: Int) -> [any Transaction] {
        var generator = generator(block: number, tag: SupplyChainWorkload.tag)
        let items = count / 4
        let extra = count % 4
        var plans: [Plan] = []
        plans.reserveCapacity(items + extra)
        for _ in 0..<(items + extra) {
            plans.append(Plan(manufacturer: accounts.draw(&generator), carrier: accounts.draw(&generator),
                              retailer: accounts.draw(&generator), buyer: accounts.draw(&generator),
                              swapped: generator.chance(outOfOrder)))
        }
        var slots: [Int] = []
        slots.reserveCapacity(count)
        for item in 0..<items { for _ in 0..<4 { slots.append(item) } }
        for item in items..<(items + extra) { slots.append(item) }
        // Fisher–Yates with the block's generator.
        if slots.count > 1 {
            for i in stride(from: slots.count - 1, to: 0, by: -1) {
                slots.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
        }
        var result: [any Transaction] = []
        result.reserveCapacity(count)
        for item in slots {
            var stepIndex = plans[item].seen
            plans[item].seen += 1
            let plan = plans[item]
            if plan.swapped, stepIndex == 1 || stepIndex == 2 { stepIndex = 3 - stepIndex }
            let id = SupplyChainWorkload.itemId(block: number, item)
            var transaction: CustodyTransaction
            switch stepIndex {
            case 0: transaction = CustodyTransaction(item: id, sender: plan.manufacturer, step: .create)
            case 1: transaction = CustodyTransaction(item: id, sender: plan.manufacturer,
                                                     step: .ship(carrier: plan.carrier, retailer: plan.retailer))
            case 2: transaction = CustodyTransaction(item: id, sender: plan.retailer, step: .receive)
            default: transaction = CustodyTransaction(item: id, sender: plan.retailer,
                                                      step: .sell(buyer: plan.buyer, price: 1_000 + UInt64(item % 1_000)))
            }
            transaction.feeBeneficiary = shape.fee
            result.append(work.placed(transaction))
        }
        return result
    }
}
