// Seeded random EVM blocks through the block executor: the sequential
// executor (the oracle) and Block-STM at 2 and 4 threads must give the same
// receipts, gas, bloom, receipts root and state delta. The blocks mix value
// transfers (many to one receiving address and to the coinbase), ERC-20
// transfers, a hot counter, reverts, SELFDESTRUCT, contracts created and
// then called in the same block, a create that self-destructs in its own
// initcode, log emitters and out-of-gas calls. A failure prints its seed;
// PX_TEST_SEED=<seed> replays it.

import Foundation
import ParallaxEVM
import ParallaxEthereum
@testable import ParallaxEthereumBlocks
import ParallaxExecution
import ParallaxVMInterface
import ParallaxTestSupport
import Testing

extension SeededGenerator {
    mutating func address() -> Address { Address(hi: UInt32(truncatingIfNeeded: next()), mid: next(), lo: next()) }
    mutating func bytes32() -> Bytes32 { Bytes32(w0: next(), w1: next(), w2: next(), w3: next()) }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A random block over a fixed set of contracts and funded senders.
struct RandomEVMBlock {
    static let token = Address(hi: 0x7070, mid: 1, lo: 1)
    static let counter = Address(hi: 0x7070, mid: 1, lo: 2)
    static let reverter = Address(hi: 0x7070, mid: 1, lo: 3)
    static let destructor = Address(hi: 0x7070, mid: 1, lo: 4)
    static let emitter = Address(hi: 0x7070, mid: 1, lo: 5)
    static let exchange = Address(hi: 0x7070, mid: 1, lo: 6)
    static let coinbase = Address(hi: 0x7070, mid: 1, lo: 7)

    /// SLOAD 0, add 1, SSTORE 0.
    static let counterCode: [UInt8] = [0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00]
    /// SSTORE 1 at slot 0, then REVERT.
    static let reverterCode: [UInt8] = [0x60, 0x01, 0x60, 0x00, 0x55, 0x60, 0x00, 0x60, 0x00, 0xFD]
    /// SELFDESTRUCT to the caller.
    static let destructorCode: [UInt8] = [0x33, 0xFF]
    /// MSTORE CALLVALUE at 0, LOG1 of those 32 bytes with the caller as topic.
    static let emitterCode: [UInt8] = [0x34, 0x60, 0x00, 0x52, 0x33, 0x60, 0x20, 0x60, 0x00, 0xA1, 0x00]
    /// Initcode returning `counterCode`.
    static let counterInitcode: [UInt8] = [0x60, UInt8(counterCode.count), 0x60, 0x0C, 0x60, 0x00, 0x39,
                                           0x60, UInt8(counterCode.count), 0x60, 0x00, 0xF3] + counterCode

    let block: EthereumBlock
    let senders: [Address]
    let preState: [Address: PreStateAccount]

    init(seed: UInt64, transactions count: Int, tokenCode: [UInt8]) {
        var rng = SeededGenerator(seed: seed)
        let senderCount = 2 + rng.below(30)
        let accounts = (0..<senderCount).map { Address(hi: 0xAA, mid: UInt64($0), lo: seed) }
        var pre: [Address: PreStateAccount] = [:]
        var tokenStorage: [UInt256: UInt256] = [:]
        for account in accounts {
            pre[account] = PreStateAccount(nonce: UInt64(rng.below(3)), balance: ether(1000))
            tokenStorage[RandomEVMBlock.balanceSlot(account)] = UInt256(1_000_000)
        }
        pre[Self.token] = PreStateAccount(nonce: 1, balance: .zero, code: tokenCode, storage: tokenStorage)
        pre[Self.counter] = PreStateAccount(nonce: 1, balance: .zero, code: Self.counterCode, storage: [.zero: UInt256(UInt64(rng.below(2)))])
        pre[Self.reverter] = PreStateAccount(nonce: 1, balance: .zero, code: Self.reverterCode)
        pre[Self.destructor] = PreStateAccount(nonce: 1, balance: UInt256(12345), code: Self.destructorCode)
        pre[Self.emitter] = PreStateAccount(nonce: 1, balance: .zero, code: Self.emitterCode)
        if rng.below(2) == 0 { pre[Self.coinbase] = PreStateAccount(nonce: 0, balance: UInt256(1)) }

        var nonces = accounts.map { pre[$0]!.nonce }
        var created: [Address] = []
        var transactions: [EthereumTransaction] = []
        var senders: [Address] = []
        for _ in 0..<count {
            let from = rng.below(senderCount)
            let nonce = nonces[from]
            nonces[from] += 1
            var to: Address? = nil
            var value = UInt256.zero
            var data: [UInt8] = []
            var gas: UInt64 = 200_000
            switch rng.below(11) {
            case 0:
                to = accounts[rng.below(senderCount)]
                value = UInt256(1 + rng.next() % 1_000_000)
                gas = 21000
            case 1:
                to = Self.exchange
                value = UInt256(1 + rng.next() % 1_000_000)
                gas = 21000
            case 2:
                to = Self.coinbase
                value = UInt256(rng.next() % 1000)
                gas = 21000
            case 3:
                to = Self.token
                let recipient = rng.below(4) == 0 ? Self.exchange : accounts[rng.below(senderCount)]
                data = [0xA9, 0x05, 0x9C, 0xBB] + recipient.word.bigEndianBytes + UInt256(UInt64(1 + rng.below(1000))).bigEndianBytes
            case 4: to = Self.counter
            case 5: to = Self.reverter
            case 6:
                to = Self.destructor
                value = UInt256(UInt64(rng.below(3)))
            case 7:
                data = Self.counterInitcode
                created.append(computeCreateAddress(accounts[from], nonce: nonce))
            case 8:
                data = Self.destructorCode   // initcode that self-destructs: created and deleted in one transaction
                value = UInt256(UInt64(rng.below(2)))
            case 9:
                to = created.isEmpty ? Self.emitter : created[rng.below(created.count)]
                value = to == Self.emitter ? UInt256(UInt64(rng.below(5))) : .zero
            default:
                to = rng.below(2) == 0 ? Self.counter : Self.emitter
                gas = 21_000 + UInt64(rng.below(200))   // runs out of gas
            }
            let tip = UInt256(UInt64(rng.below(3)))
            transactions.append(EthereumTransaction(
                kind: rng.below(2) == 0 ? .legacy : .dynamicFee, chainID: 1, nonce: nonce, gasPrice: UInt256(7) &+ tip,
                maxPriorityFeePerGas: tip, maxFeePerGas: UInt256(100), gasLimit: gas, to: to, value: value, data: data,
                signature: .init(yParity: 0, r: .one, s: .one)))
            senders.append(accounts[from])
        }
        // The legacy ones price by gasPrice only.
        for index in transactions.indices where transactions[index].kind == .legacy {
            transactions[index].maxFeePerGas = .zero
            transactions[index].maxPriorityFeePerGas = .zero
        }
        for index in transactions.indices where transactions[index].kind == .dynamicFee { transactions[index].gasPrice = .zero }
        block = EthereumBlock(
            header: testHeader(number: 20_000_000, timestamp: 1_720_000_000, coinbase: Self.coinbase),
            transactions: transactions,
            withdrawals: [Withdrawal(index: 0, validatorIndex: 0, address: Self.exchange, amount: 3)])
        self.senders = senders
        preState = pre
    }

    /// Solidity's slot of `holder` in the mapping at slot 0.
    static func balanceSlot(_ holder: Address) -> UInt256 {
        keccak256(holder.word.bigEndianBytes + [UInt8](repeating: 0, count: 32)).word
    }
}

@Suite struct BlockRandomTests {
    static func tokenCode() throws -> [UInt8] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/contracts/ERC20Token.hex").path
        return try Hex.decode(try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func sequentialAndParallelAgreeOnRandomBlocks() throws {
        let code = try Self.tokenCode()
        var seeds = SeededGenerator.fromEnvironment()
        let engine = EthereumBlockExecutor(policy: .alwaysParallel)
        let parallel = try [2, 4].map { (threads: $0, executor: try ParallelExecutor(threads: $0)) }
        let sequential = SequentialExecutor()
        var sawFailure = false, sawSuccess = false, sawLogs = false
        for _ in 0..<12 {
            let seed = seeds.next()
            let random = RandomEVMBlock(seed: seed, transactions: 40 + Int(seed % 160), tokenCode: code)
            let prepared = try engine.prepare(random.block, preState: random.preState, senders: random.senders)
            let expected = try engine.execute(prepared, on: sequential)
            for (threads, executor) in parallel {
                let actual = try engine.execute(prepared, on: executor)
                #expect(actual.receipts == expected.receipts, "seed \(seed), \(threads) threads: receipts differ")
                #expect(actual.stateDelta == expected.stateDelta, "seed \(seed), \(threads) threads: state differs")
                #expect(actual.receiptsRoot == expected.receiptsRoot && actual.logsBloom == expected.logsBloom,
                        "seed \(seed), \(threads) threads")
                #expect(actual.returnData == expected.returnData, "seed \(seed), \(threads) threads: return data differs")
                #expect(actual.sequentialReason == nil)
            }
            let gas = expected.receipts.reduce(0) { $0 + $1.gasUsed }
            #expect(expected.gasUsed == gas && expected.receipts.last?.cumulativeGasUsed == gas, "seed \(seed)")
            sawFailure = sawFailure || expected.receipts.contains { $0.succeeded == false }
            sawSuccess = sawSuccess || expected.receipts.contains { $0.succeeded == true }
            sawLogs = sawLogs || expected.receipts.contains { !$0.logs.isEmpty }
        }
        #expect(sawFailure && sawSuccess && sawLogs, "seed \(seeds.seed): the blocks should mix outcomes")
    }

    @Test func contractsCreatedInTheBlockAreCalledInIt() throws {
        // Fixed seed with enough transactions that creates and calls to the created mix.
        let random = RandomEVMBlock(seed: 42, transactions: 300, tokenCode: try Self.tokenCode())
        let engine = EthereumBlockExecutor(policy: .alwaysParallel)
        let prepared = try engine.prepare(random.block, preState: random.preState, senders: random.senders)
        let result = try engine.execute(prepared, on: try ParallelExecutor(threads: 2))
        var post = prepared.base
        post.apply(result.stateDelta)
        let accounts = EthereumStateLayout.accounts(in: post)
        var creates = 0
        for (index, transaction) in random.block.transactions.enumerated()
        where transaction.to == nil && transaction.data == RandomEVMBlock.counterInitcode {
            creates += 1
            let address = computeCreateAddress(random.senders[index], nonce: transaction.nonce)
            #expect(accounts[address]?.code == RandomEVMBlock.counterCode, "created counter \(address)")
        }
        #expect(creates > 0)
        // A counter created in the block and called after: some slot 0 above zero.
        #expect(accounts.values.contains { $0.code == RandomEVMBlock.counterCode && ($0.storage[.zero] ?? .zero) > UInt256(1) })
    }

    @Test func recipientsCreditedByDeltaEndAsTheEVMLeavesThem() throws {
        // The same blocks with every transaction as a plain EVMTransaction (no delta
        // credit of recipients): the accounts after them and the outcomes must agree.
        let code = try Self.tokenCode()
        var seeds = SeededGenerator.fromEnvironment()
        let engine = EthereumBlockExecutor()
        var credited = 0
        for _ in 0..<6 {
            let seed = seeds.next()
            let random = RandomEVMBlock(seed: seed, transactions: 120, tokenCode: code)
            let prepared = try engine.prepare(random.block, preState: random.preState, senders: random.senders)
            let plain: [any Transaction] = prepared.transactions.map { ($0 as? BlockTransaction)?.evm ?? $0 }
            credited += prepared.transactions.filter { ($0 as? BlockTransaction)?.recipient != nil }.count
            let withDelta = SequentialExecutor().execute(prepared.transactions, on: prepared.base)
            let without = SequentialExecutor().execute(plain, on: prepared.base)
            var a = prepared.base, b = prepared.base
            a.apply(withDelta.stateDelta)
            b.apply(without.stateDelta)
            #expect(EthereumStateLayout.accounts(in: a) == EthereumStateLayout.accounts(in: b), "seed \(seed): accounts differ")
            #expect(withDelta.transactions.map(\.status) == without.transactions.map(\.status), "seed \(seed)")
            #expect(withDelta.transactions.map(\.gasUsed) == without.transactions.map(\.gasUsed), "seed \(seed)")
            #expect(withDelta.transactions.map(\.events) == without.transactions.map(\.events), "seed \(seed)")
        }
        #expect(credited > 0, "seed \(seeds.seed): no transfer took the delta path")
    }
}
