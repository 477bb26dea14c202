import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// A sponsor pays its users' gas from its own 8-byte balance; a tip of one
/// unit per 10 gas goes to a validator by delta; a user whose sponsor
/// cannot pay in full pays the rest from its own balance. Reads and writes
/// through the ledger, so Block-STM has to validate the settlement's reads
/// like the contract's.
private struct SponsoredFee: FeeSettlement {
    var sponsor: StateKey
    var user: StateKey
    var validator: StateKey
    var pricePerGas: UInt64
    /// Writes outside `writes` when set (the declared-access failure case).
    var strays: StateKey?

    var writes: [StateKey] { [sponsor, user] }
    var credits: [StateKey] { [validator] }

    func settle(gasUsed: UInt64, status: TransactionStatus, ledger: FeeLedger) throws(ExecutionError) -> UInt64 {
        let fee = gasUsed &* pricePerGas
        let held = try ledger.read(sponsor)?.uint64Value ?? 0
        let fromSponsor = min(held, fee)
        try ledger.write(sponsor, StateValue(uint64: held - fromSponsor))
        if fromSponsor < fee {
            let own = try ledger.read(user)?.uint64Value ?? 0
            try ledger.write(user, StateValue(uint64: own - min(own, fee - fromSponsor)))
        }
        try ledger.credit(gasUsed / 10, to: FeeBeneficiary(key: validator, byDelta: true))
        if let strays { try ledger.write(strays, StateValue(uint64: 1)) }
        return fee
    }
}

/// A transfer under the sponsored fee: reverts when the user lacks the amount.
private struct SponsoredTransfer: Transaction {
    var fee: SponsoredFee
    var to: StateKey
    var amount: UInt64
    var gasLimit: UInt64 { 50_000 }
    var feePolicy: FeePolicy { .custom(fee) }
    var declaredAccess: DeclaredAccess? { DeclaredAccess(writes: [fee.user, to]) }

    struct Insufficient: Error {}
    func execute(in context: ExecutionContext) throws {
        let balance = try context.read(fee.user)?.uint64Value ?? 0
        guard balance >= amount else { throw Insufficient() }
        try context.write(fee.user, StateValue(uint64: balance - amount))
        let credit = try context.read(to)?.uint64Value ?? 0
        try context.write(to, StateValue(uint64: credit &+ amount))
    }
}

final class FeePolicyTests: XCTestCase {
    private let validator = StateKey(9, 9, 9, 9)
    private func account(_ index: Int) -> StateKey { StateKey(1, UInt64(index), 0, 0) }
    private func sponsor(_ index: Int) -> StateKey { StateKey(2, UInt64(index), 0, 0) }

    private func block(seed: UInt64, count: Int, sponsors: Int) -> (InMemoryState, [any Transaction]) {
        var generator = SplitMix64(seed: seed)
        var entries: [StateKey: StateValue] = [validator: StateValue(uint64: 7)]
        // Users can always cover what their sponsor cannot (so the books below
        // balance exactly); one transfer in eight asks for more than they hold.
        for index in 0..<20 { entries[account(index)] = StateValue(uint64: 40_000_000 + generator.next() % 1_000_000) }
        // Some sponsors run dry inside the block, so users pay the rest.
        for index in 0..<sponsors { entries[sponsor(index)] = StateValue(uint64: generator.next() % 40_000_000) }
        let transactions: [any Transaction] = (0..<count).map { _ in
            let fee = SponsoredFee(sponsor: sponsor(Int(generator.next() % UInt64(sponsors))), user: account(Int(generator.next() % 20)),
                                   validator: validator, pricePerGas: 1 + generator.next() % 40)
            return SponsoredTransfer(fee: fee, to: account(Int(generator.next() % 20)), amount: generator.next() % 8 == 0 ? 1 << 40 : generator.next() % 120_000)
        }
        return (InMemoryState(entries), transactions)
    }

    /// Every executor settles a custom policy exactly as the sequential one,
    /// on seeded blocks with a few hot sponsors (print the seed on failure).
    func testCustomSettlementIsIdenticalUnderEveryExecutor() throws {
        let sequential = SequentialExecutor()
        let enforcing = SequentialExecutor(enforcingDeclarations: true)
        let parallel = try [1, 2, 4, 8].map { try ParallelExecutor(threads: $0) }
        let declared = try [2, 4].map { try DeclaredAccessExecutor(threads: $0) }
        var reverted = 0
        for seed in 0..<UInt64(30) {
            let (base, transactions) = block(seed: 0x5901 &+ seed, count: 200, sponsors: 1 + Int(seed % 4))
            let expected = sequential.execute(transactions, on: base)
            XCTAssertNil(firstDifference(expected, enforcing.execute(transactions, on: base)), "seed \(seed): enforcing")
            for executor in parallel {
                XCTAssertNil(firstDifference(expected, executor.execute(transactions, on: base)),
                             "seed \(seed), Block-STM \(executor.pool.count) threads")
            }
            for executor in declared {
                XCTAssertNil(firstDifference(expected, executor.execute(transactions, on: base)),
                             "seed \(seed), declared \(executor.pool.count) threads")
            }
            // The books balance: what sponsors and users lost (transfers stay
            // among them) is the fees, and the validator got a tenth of the gas.
            var after = base
            after.apply(expected.stateDelta)
            var fees: UInt64 = 0, tips: UInt64 = 0
            for output in expected.transactions {
                XCTAssertTrue(output.status == .success || output.status == .reverted(reason: "Insufficient()"), "seed \(seed): \(output.status)")
                if output.status != .success { reverted += 1 }
                XCTAssertGreaterThan(output.fee, 0, "seed \(seed): a reverted transfer pays too")
                fees += output.fee
                tips += output.gasUsed / 10
            }
            func total(_ state: InMemoryState, _ keys: [StateKey]) -> UInt64 {
                keys.reduce(0) { $0 + (state.read($1)?.uint64Value ?? 0) }
            }
            let holders = (0..<20).map(account) + (0..<4).map(sponsor)
            XCTAssertEqual(total(base, holders) - total(after, holders), fees, "seed \(seed): fees paid")
            XCTAssertEqual(after.read(validator)?.uint64Value, 7 + tips, "seed \(seed): validator's tips")
        }
        XCTAssertGreaterThan(reverted, 0, "some transfers should have reverted and still paid")
    }

    /// A settlement that writes outside its declared keys fails like an
    /// undeclared access of the contract when declarations are enforced:
    /// nothing written, no fee; unenforced it writes.
    func testSettlementOutsideItsKeysIsAnUndeclaredAccessWhenEnforced() throws {
        let stray = StateKey(3, 3, 3, 3)
        var fee = SponsoredFee(sponsor: sponsor(0), user: account(0), validator: validator, pricePerGas: 2)
        fee.strays = stray
        let transfer = SponsoredTransfer(fee: fee, to: account(1), amount: 5)
        let base = InMemoryState([account(0): StateValue(uint64: 100), sponsor(0): StateValue(uint64: 1_000_000)])
        let enforced = SequentialExecutor(enforcingDeclarations: true).execute([transfer], on: base)
        XCTAssertEqual(enforced.transactions[0].status, .undeclaredAccess(key: stray))
        XCTAssertEqual(enforced.transactions[0].fee, 0)
        XCTAssertTrue(enforced.transactions[0].writeSet.isEmpty)
        let declared = try DeclaredAccessExecutor(threads: 2).execute([transfer], on: base)
        XCTAssertNil(firstDifference(enforced, declared))
        let free = SequentialExecutor().execute([transfer], on: base)
        XCTAssertEqual(free.transactions[0].status, .success)
        XCTAssertTrue(free.transactions[0].writeSet.contains(StateWrite(key: stray, value: StateValue(uint64: 1))))
    }

    /// `priced(at:)` puts a price on every policy but `none`.
    func testPricedAtReplacesThePriceOfEveryPolicy() {
        let debit = FeePolicy.balanceDebit(BalanceDebitFee(payer: account(0), pricePerGas: 1))
        guard case .balanceDebit(let priced) = debit.priced(at: 77) else { return XCTFail("kind changed") }
        XCTAssertEqual(priced.pricePerGas, 77)
        let custom = FeePolicy.custom(SponsoredFee(sponsor: sponsor(0), user: account(0), validator: validator, pricePerGas: 1))
        guard case .custom(let settlement) = custom.priced(at: 9) else { return XCTFail("kind changed") }
        XCTAssertEqual(settlement.pricePerGas, 9)
        guard case .none = FeePolicy.none.priced(at: 5) else { return XCTFail("none gained a price") }
    }
}
