import ParallaxContracts
import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// The workloads' use of delta writes: fee credits to the block
/// beneficiary, credits to a hot deposit address, ERC-20 total supply.
extension WorkloadEquivalenceTests {
    func depositShape(seed: UInt64, deltas: Bool, accounts: Int = 40) -> WorkloadShape {
        var shape = shape(seed: seed, accounts: accounts)
        shape.depositShare = 0.5
        shape.deltas = deltas
        return shape
    }

    func testDepositAddressWithDeltas() throws {
        try check({ try P2PWorkload(depositShape(seed: $0, deltas: true)) }, seeds: 31...40)
        try check({ try ERC20Workload(depositShape(seed: $0, deltas: true)) }, seeds: 31...40)
    }

    func testDepositAddressWithoutDeltas() throws {
        try check({ try P2PWorkload(depositShape(seed: $0, deltas: false)) }, seeds: 41...44)
        try check({ try ERC20Workload(depositShape(seed: $0, deltas: false)) }, seeds: 41...44)
    }

    /// Fees move from payers to the beneficiary and payments between
    /// accounts: the native total is conserved, with and without deltas,
    /// and the beneficiary holds exactly the fees charged.
    func testFeesReachTheBeneficiary() throws {
        for deltas in [true, false] {
            let workload = try P2PWorkload(depositShape(seed: 7, deltas: deltas, accounts: 50))
            var state = workload.initialState()
            var fees: UInt64 = 0
            for number in 0..<3 {
                let output = try ParallelExecutor(threads: 2).execute(workload.block(number, transactions: 200), on: state)
                fees += output.transactions.reduce(0) { $0 + $1.fee }
                state.apply(output.stateDelta)
            }
            let beneficiary = state.read(NativeToken.balanceKey(.beneficiary))?.uint64Value ?? 0
            XCTAssertEqual(beneficiary, fees, "deltas \(deltas)")
            let accounts = (0..<50).reduce(UInt64(0)) { $0 + (state.read(NativeToken.balanceKey(Account(UInt64($1))))?.uint64Value ?? 0) }
            XCTAssertEqual(accounts + beneficiary, 50 * initialNativeBalance, "deltas \(deltas)")
        }
    }

    func testDepositShareOfRecipients() throws {
        var shape = WorkloadShape()
        shape.depositShare = 0.5
        let block = try P2PWorkload(shape).block(0, transactions: 4_000)
        let deposits = block.filter { ($0 as? PaymentTransaction)?.recipient == Account.deposit(shape.accounts) }.count
        // Binomial(4000, 0.5): 5 standard deviations are about 160.
        XCTAssertEqual(Double(deposits), 2_000, accuracy: 160)
        XCTAssertThrowsError(try P2PWorkload({ var bad = shape; bad.depositShare = 1.5; return bad }())) { error in
            XCTAssertEqual((error as? WorkloadError)?.parameter, "deposit-share")
        }
    }
}
