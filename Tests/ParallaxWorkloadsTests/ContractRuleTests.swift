import ParallaxContracts
import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// Each contract's rules, executed one transaction at a time by the
/// sequential executor against hand-made or generated states.
final class ContractRuleTests: XCTestCase {
    /// Executes `transaction` on `state`, applies its delta, returns its output.
    @discardableResult
    func apply(_ transaction: any Transaction, to state: inout InMemoryState) -> TransactionOutput {
        let output = SequentialExecutor().execute([transaction], on: state)
        state.apply(output.stateDelta)
        return output.transactions[0]
    }

    func uint(_ state: InMemoryState, _ key: StateKey) -> UInt64? { state.read(key)?.uint64Value }

    func isReverted(_ output: TransactionOutput, containing text: String) -> Bool {
        if case .reverted(let reason) = output.status { return reason.contains(text) }
        return false
    }

    func shape(accounts: Int = 10, seed: UInt64 = 1) -> WorkloadShape {
        var shape = WorkloadShape()
        shape.accounts = accounts
        shape.seed = seed
        return shape
    }

    // MARK: p2p

    func testPaymentMovesFundsChargesFeeAndBumpsNonce() throws {
        var state = try P2PWorkload(shape()).initialState()
        let (a, b) = (Account(1), Account(2))
        let output = apply(PaymentTransaction(sender: a, recipient: b, amount: 500, nonce: 7), to: &state)
        XCTAssertEqual(output.status, .success)
        XCTAssertGreaterThan(output.fee, 0)
        XCTAssertEqual(uint(state, NativeToken.balanceKey(a)), initialNativeBalance - 500 - output.fee)
        XCTAssertEqual(uint(state, NativeToken.balanceKey(b)), initialNativeBalance + 500)
        XCTAssertEqual(uint(state, NativeToken.nonceKey(a)), 7)
    }

    func testPaymentRevertsOnInsufficientBalanceAndStaleNonce() throws {
        var state = try P2PWorkload(shape()).initialState()
        let a = Account(3)
        let tooMuch = apply(PaymentTransaction(sender: a, recipient: Account(4), amount: initialNativeBalance, nonce: 1), to: &state)
        XCTAssertTrue(isReverted(tooMuch, containing: "insufficient balance"), "\(tooMuch.status)")
        XCTAssertEqual(uint(state, NativeToken.balanceKey(a)), initialNativeBalance - tooMuch.fee, "only the fee is charged")
        XCTAssertEqual(uint(state, NativeToken.balanceKey(Account(4))), initialNativeBalance)
        XCTAssertNil(state.read(NativeToken.nonceKey(a)), "a reverted payment does not consume its nonce")

        XCTAssertEqual(apply(PaymentTransaction(sender: a, recipient: Account(4), amount: 1, nonce: 5), to: &state).status, .success)
        for stale: UInt64 in [5, 4] {
            let replay = apply(PaymentTransaction(sender: a, recipient: Account(4), amount: 1, nonce: stale), to: &state)
            XCTAssertTrue(isReverted(replay, containing: "not above the last used nonce 5"), "\(replay.status)")
        }
        XCTAssertEqual(uint(state, NativeToken.balanceKey(Account(4))), initialNativeBalance + 1)
    }

    // MARK: erc20

    func testTokenTransferApproveAndTransferFrom() throws {
        let workload = try ERC20Workload(shape())
        var state = workload.initialState()
        let token = ERC20Workload.token
        let (owner, spender, receiver) = (Account(5), Account(7), Account(8))
        let initial = ERC20Workload.initialBalance

        let overdraw = apply(TokenTransaction(token: token, sender: owner, call: .transfer(to: receiver, amount: initial + 1)), to: &state)
        XCTAssertTrue(isReverted(overdraw, containing: "balance of #5"), "\(overdraw.status)")
        XCTAssertTrue(overdraw.events.isEmpty)

        let unapproved = apply(TokenTransaction(token: token, sender: spender, call: .transferFrom(owner: owner, to: receiver, amount: 10)), to: &state)
        XCTAssertTrue(isReverted(unapproved, containing: "allowance"), "\(unapproved.status)")

        let approve = apply(TokenTransaction(token: token, sender: owner, call: .approve(spender: spender, amount: 100)), to: &state)
        XCTAssertEqual(approve.status, .success)
        XCTAssertEqual(approve.events.map(\.topics), [[EventWord(EventTopic.approval)]])

        let spend = apply(TokenTransaction(token: token, sender: spender, call: .transferFrom(owner: owner, to: receiver, amount: 60)), to: &state)
        XCTAssertEqual(spend.status, .success)
        XCTAssertEqual(spend.events.map(\.topics), [[EventWord(EventTopic.transfer)]])
        XCTAssertEqual(uint(state, TokenLayout.allowanceKey(token: token, owner: owner, spender: spender)), 40)
        XCTAssertEqual(uint(state, TokenLayout.balanceKey(token: token, owner)), initial - 60)
        XCTAssertEqual(uint(state, TokenLayout.balanceKey(token: token, receiver)), initial + 60)

        let beyond = apply(TokenTransaction(token: token, sender: spender, call: .transferFrom(owner: owner, to: receiver, amount: 41)), to: &state)
        XCTAssertTrue(isReverted(beyond, containing: "allowance of #7 from #5 is 40"), "\(beyond.status)")

        XCTAssertEqual(apply(TokenTransaction(token: token, sender: owner, call: .approve(spender: spender, amount: .max)), to: &state).status, .success)
        XCTAssertEqual(apply(TokenTransaction(token: token, sender: spender, call: .transferFrom(owner: owner, to: receiver, amount: 1_000)), to: &state).status, .success)
        XCTAssertEqual(uint(state, TokenLayout.allowanceKey(token: token, owner: owner, spender: spender)), .max, "unlimited allowance stays")
    }

    func testTokenMintBurnAndSupplyInvariant() throws {
        let workload = try ERC20Workload(shape(accounts: 12))
        var state = workload.initialState()
        let token = ERC20Workload.token
        let supplyKey = TokenLayout.totalSupplyKey(token: token)
        let supply = try XCTUnwrap(uint(state, supplyKey))

        let stranger = apply(TokenTransaction(token: token, sender: Account(3), call: .mint(to: Account(3), amount: 5)), to: &state)
        XCTAssertTrue(isReverted(stranger, containing: "not the minter"), "\(stranger.status)")
        XCTAssertEqual(apply(TokenTransaction(token: token, sender: ERC20Workload.minter, call: .mint(to: Account(3), amount: 5)), to: &state).status, .success)
        XCTAssertEqual(uint(state, supplyKey), supply + 5)
        XCTAssertEqual(apply(TokenTransaction(token: token, sender: Account(3), call: .burn(amount: 8)), to: &state).status, .success)
        XCTAssertEqual(uint(state, supplyKey), supply - 3)

        // Over generated blocks the supply stays the sum of the balances.
        for number in 0..<3 {
            let output = SequentialExecutor().execute(workload.block(number, transactions: 400), on: state)
            state.apply(output.stateDelta)
        }
        let sum = (0..<12).reduce(UInt64(0)) { $0 + (uint(state, TokenLayout.balanceKey(token: token, Account(UInt64($1)))) ?? 0) }
        XCTAssertEqual(uint(state, supplyKey), sum)
    }

    // MARK: amm

    func testSwapsNeverDecreaseK() throws {
        var shape = shape(accounts: 20, seed: 11)
        shape.hotShare = 0.7
        let workload = try AMMWorkload(shape, pools: 3)
        var state = workload.initialState()
        var successes = 0
        for transaction in workload.block(0, transactions: 300) {
            let swap = try XCTUnwrap(transaction as? SwapTransaction)
            let key = PoolLayout.reservesKey(pool: swap.pool)
            let before = reserves(state, key)
            let output = apply(swap, to: &state)
            let after = reserves(state, key)
            XCTAssertGreaterThanOrEqual(UInt128(after.0) * UInt128(after.1), UInt128(before.0) * UInt128(before.1))
            if output.status == .success {
                successes += 1
                let zeroForOne = swap.tokenIn == AMMWorkload.tokens(pool: Int(swap.pool)).0
                let (reserveIn, reserveOut) = zeroForOne ? before : (before.1, before.0)
                let out = PoolLayout.amountOut(swap.amountIn, reserveIn: reserveIn, reserveOut: reserveOut)
                let (afterIn, afterOut) = zeroForOne ? after : (after.1, after.0)
                XCTAssertEqual(afterIn, reserveIn + swap.amountIn)
                XCTAssertEqual(afterOut, reserveOut - out)
            } else {
                XCTAssertTrue(before == after, "a reverted swap leaves the pool as it was")
            }
        }
        XCTAssertGreaterThan(successes, 150)
    }

    func testSwapMinimumOutputAndBalanceRules() throws {
        let workload = try AMMWorkload(shape(), pools: 1)
        var state = workload.initialState()
        let (reserve0, reserve1) = AMMWorkload.initialReserves(pool: 0)
        let quote = PoolLayout.amountOut(1_000_000, reserveIn: reserve0, reserveOut: reserve1)
        XCTAssertEqual(quote, UInt64(UInt128(1_000_000) * 997 * UInt128(reserve1) / (UInt128(reserve0) * 1000 + 997_000_000)))

        let (base, other) = AMMWorkload.tokens(pool: 0)
        let greedy = apply(SwapTransaction(sender: Account(1), pool: 0, tokenIn: base, tokenOut: other, amountIn: 1_000_000, minimumOut: quote + 1), to: &state)
        XCTAssertTrue(isReverted(greedy, containing: "below the minimum"), "\(greedy.status)")
        XCTAssertTrue(greedy.writeSet.allSatisfy { $0.key == NativeToken.balanceKey(Account(1)) }, "only the fee write survives")

        let fair = apply(SwapTransaction(sender: Account(1), pool: 0, tokenIn: base, tokenOut: other, amountIn: 1_000_000, minimumOut: quote), to: &state)
        XCTAssertEqual(fair.status, .success)
        XCTAssertEqual(fair.events.map(\.topics), [[EventWord(EventTopic.swap)]])
        XCTAssertEqual(uint(state, TokenLayout.balanceKey(token: AMMWorkload.baseToken + 1, Account(1))), AMMWorkload.initialHolding + quote)

        let broke = apply(SwapTransaction(sender: Account(2), pool: 0, tokenIn: other, tokenOut: base, amountIn: AMMWorkload.initialHolding + 1, minimumOut: 0), to: &state)
        XCTAssertTrue(isReverted(broke, containing: "holds"), "\(broke.status)")
        let nothing = apply(SwapTransaction(sender: Account(2), pool: 0, tokenIn: other, tokenOut: base, amountIn: 0, minimumOut: 0), to: &state)
        XCTAssertTrue(isReverted(nothing, containing: "insufficient input"), "\(nothing.status)")
        let nowhere = apply(SwapTransaction(sender: Account(2), pool: 9, tokenIn: other, tokenOut: base, amountIn: 10, minimumOut: 0), to: &state)
        XCTAssertTrue(isReverted(nowhere, containing: "no pool 9"), "\(nowhere.status)")
        let mismatched = apply(SwapTransaction(sender: Account(2), pool: 0, tokenIn: base, tokenOut: other + 1, amountIn: 10, minimumOut: 0), to: &state)
        XCTAssertTrue(isReverted(mismatched, containing: "does not trade"), "\(mismatched.status)")
    }

    func reserves(_ state: InMemoryState, _ key: StateKey) -> (UInt64, UInt64) {
        let bytes = state.read(key)!.bytes
        let word = { (offset: Int) in (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << UInt64(8 * $1) } }
        return (word(0), word(8))
    }

    // MARK: nft

    func testMintUpToTheCapThenRevert() throws {
        let workload = try NFTWorkload(shape(), collections: 1, preminted: 3, cap: 5)
        var state = workload.initialState()
        let minter = Account(4)
        for expected: UInt64 in [3, 4] {
            let output = apply(CollectibleTransaction(collection: 0, sender: minter, call: .mint), to: &state)
            XCTAssertEqual(output.status, .success)
            XCTAssertEqual(uint(state, CollectibleLayout.ownerKey(collection: 0, tokenId: expected)), minter.raw)
        }
        XCTAssertEqual(uint(state, CollectibleLayout.nextIdKey(collection: 0)), 5)
        let over = apply(CollectibleTransaction(collection: 0, sender: minter, call: .mint), to: &state)
        XCTAssertTrue(isReverted(over, containing: "supply cap 5 reached"), "\(over.status)")
        XCTAssertNil(state.read(CollectibleLayout.ownerKey(collection: 0, tokenId: 5)))
        let unknown = apply(CollectibleTransaction(collection: 3, sender: minter, call: .mint), to: &state)
        XCTAssertTrue(isReverted(unknown, containing: "no collection 3"), "\(unknown.status)")
    }

    func testTransferRequiresOwnershipAndKeepsHoldings() throws {
        let workload = try NFTWorkload(shape(), collections: 1, preminted: 6, cap: 10)
        var state = workload.initialState()
        let owner = workload.initialOwner(collection: 0, tokenId: 2)
        let other = Account((owner.raw + 1) % 10)
        let theft = apply(CollectibleTransaction(collection: 0, sender: other, call: .transfer(tokenId: 2, to: other)), to: &state)
        XCTAssertTrue(isReverted(theft, containing: "does not own token 2"), "\(theft.status)")
        let held = uint(state, CollectibleLayout.holdingsKey(collection: 0, owner)) ?? 0
        let gift = apply(CollectibleTransaction(collection: 0, sender: owner, call: .transfer(tokenId: 2, to: other)), to: &state)
        XCTAssertEqual(gift.status, .success)
        XCTAssertEqual(uint(state, CollectibleLayout.ownerKey(collection: 0, tokenId: 2)), other.raw)
        XCTAssertEqual(uint(state, CollectibleLayout.holdingsKey(collection: 0, owner)) ?? 0, held - 1)
        let missing = apply(CollectibleTransaction(collection: 0, sender: owner, call: .transfer(tokenId: 9, to: other)), to: &state)
        XCTAssertTrue(isReverted(missing, containing: "does not exist"), "\(missing.status)")
        // Holdings sum to the tokens minted.
        let total = (0..<10).reduce(UInt64(0)) { $0 + (uint(state, CollectibleLayout.holdingsKey(collection: 0, Account(UInt64($1)))) ?? 0) }
        XCTAssertEqual(total, 6)
    }

    /// The transfer schedule names the current owner as sender in every
    /// block run in order, even when each token moves several times a block;
    /// run out of order, transfers revert.
    func testScheduledTransfersAreByTheCurrentOwner() throws {
        var shape = shape(accounts: 30, seed: 4)
        shape.zipf = 1
        shape.hotShare = 0.2
        let workload = try NFTWorkload(shape, collections: 2, preminted: 8)
        var state = workload.initialState()
        var transfers = 0
        for number in 0..<4 {
            let block = workload.block(number, transactions: 120)
            let output = SequentialExecutor().execute(block, on: state)
            for (transaction, result) in zip(block, output.transactions) {
                guard case .transfer? = (transaction as? CollectibleTransaction)?.call else { continue }
                transfers += 1
                XCTAssertEqual(result.status, .success, "block \(number)")
            }
            state.apply(output.stateDelta)
        }
        XCTAssertEqual(transfers, 4 * (120 - 24 - 10), "exact shares: 24 hot mints, 10% of the rest other mints")
        let skipped = SequentialExecutor().execute(workload.block(9, transactions: 120), on: workload.initialState())
        XCTAssertTrue(skipped.transactions.contains { isReverted($0, containing: "does not own") })
    }

    // MARK: supply chain

    func testCustodyLifecycleAndOutOfOrderSteps() throws {
        var state = try SupplyChainWorkload(shape()).initialState()
        let item: UInt64 = 42
        let (maker, carrier, shop, buyer) = (Account(1), Account(2), Account(3), Account(4))
        var fees: [Account: UInt64] = [:]
        func step(_ sender: Account, _ step: CustodyTransaction.Step) -> TransactionOutput {
            let output = apply(CustodyTransaction(item: item, sender: sender, step: step), to: &state)
            fees[sender, default: 0] += output.fee
            return output
        }
        XCTAssertTrue(isReverted(step(maker, .ship(carrier: carrier, retailer: shop)), containing: "is absent, the step needs created"))
        XCTAssertEqual(step(maker, .create).status, .success)
        XCTAssertTrue(isReverted(step(maker, .create), containing: "already exists"))
        XCTAssertTrue(isReverted(step(shop, .receive), containing: "is created, the step needs shipped"))
        XCTAssertTrue(isReverted(step(shop, .sell(buyer: buyer, price: 10)), containing: "is created, the step needs received"))
        XCTAssertTrue(isReverted(step(carrier, .ship(carrier: carrier, retailer: shop)), containing: "does not hold"))
        XCTAssertEqual(step(maker, .ship(carrier: carrier, retailer: shop)).status, .success)
        XCTAssertTrue(isReverted(step(buyer, .receive), containing: "not bound for"))
        XCTAssertEqual(step(shop, .receive).status, .success)
        XCTAssertEqual(step(shop, .sell(buyer: buyer, price: 10)).status, .success)
        XCTAssertEqual(CustodyRecord(state.read(CustodyLayout.itemKey(item))!), CustodyRecord(stage: .sold, custodian: buyer))
        XCTAssertTrue(isReverted(step(shop, .sell(buyer: buyer, price: 10)), containing: "is sold, the step needs received"))
        // The sale moved the price from the buyer to the shop; each paid its own fees.
        XCTAssertEqual(uint(state, NativeToken.balanceKey(buyer)), initialNativeBalance - 10 - fees[buyer, default: 0])
        XCTAssertEqual(uint(state, NativeToken.balanceKey(shop)), initialNativeBalance + 10 - fees[shop, default: 0])
    }

    func testGeneratedItemsCompleteUnlessSwapped() throws {
        let inOrder = try SupplyChainWorkload(shape(), outOfOrder: 0)
        let output = SequentialExecutor().execute(inOrder.block(2, transactions: 203), on: inOrder.initialState())
        XCTAssertTrue(output.transactions.allSatisfy { $0.status == .success })
        let swapped = try SupplyChainWorkload(shape(), outOfOrder: 1)
        let reverted = SequentialExecutor().execute(swapped.block(2, transactions: 200), on: swapped.initialState())
            .transactions.filter { $0.status != .success }.count
        XCTAssertEqual(reverted, 100, "each item's early receive and its sell revert")
    }

    // MARK: mixed

    func testMixedBlocksHaveTheWeightedComposition() throws {
        func composition(_ block: [any Transaction]) -> [Int] {
            [block.count { $0 is PaymentTransaction }, block.count { $0 is TokenTransaction }, block.count { $0 is SwapTransaction },
             block.count { $0 is CollectibleTransaction }, block.count { $0 is CustodyTransaction }]
        }
        let mixed = try MixedWorkload(shape(accounts: 20))
        XCTAssertEqual(composition(mixed.block(0, transactions: 100)), [30, 30, 20, 10, 10])
        let skewed = try MixedWorkload(shape(), weights: MixedWorkload.Weights(parsing: "amm=1,nft=2"))
        XCTAssertEqual(composition(skewed.block(3, transactions: 10)), [0, 0, 3, 7, 0], "the remainder goes to the largest fraction")

        // One size per part and block: the nft part's transfers stay by the current owner.
        var state = mixed.initialState()
        for number in 0..<3 {
            let output = SequentialExecutor().execute(mixed.block(number, transactions: 200), on: state)
            XCTAssertFalse(output.transactions.contains { isReverted($0, containing: "does not own") }, "block \(number)")
            state.apply(output.stateDelta)
        }
    }

    // MARK: parameters

    func testBadParametersNameTheOption() {
        var bad = shape()
        bad.accounts = 1
        XCTAssertEqual(parameter { try P2PWorkload(bad) }, "accounts")
        bad = shape()
        bad.hotShare = 2
        XCTAssertEqual(parameter { try AMMWorkload(bad) }, "hot-share")
        bad = shape()
        bad.zipf = -1
        XCTAssertEqual(parameter { try ERC20Workload(bad) }, "zipf")
        XCTAssertEqual(parameter { try AMMWorkload(self.shape(), pools: 0) }, "pools")
        XCTAssertEqual(parameter { try NFTWorkload(self.shape(), preminted: 10, cap: 5) }, "cap")
        XCTAssertEqual(parameter { try MixedWorkload.Weights(parsing: "p2p=1,dex=2") }, "mix")
        XCTAssertEqual(parameter { try MixedWorkload(self.shape(), weights: MixedWorkload.Weights(parsing: "p2p=0")) }, "mix")
    }

    func parameter(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? WorkloadError)?.parameter
        }
    }
}
