// Fuzz target "evm": random bytecode and calldata deployed in a small world
// and called by a block of one to four transactions, executed by the
// sequential executor (the oracle) and by Block-STM on two threads.
//
// Input layout (every input is a valid block; shorter inputs use zeros):
//
//     byte 0   bits 0-1  transactions - 1
//              bit  2    the first transaction creates a contract, code A as initcode
//              bit  3    one sender for every transaction (a nonce chain), else one each
//              bits 4-7  the fork (Frontier ... Cancun, by block number and timestamp)
//     byte 1   bits 0-1  the gas each transaction may spend beyond its intrinsic cost
//              bit  2    EIP-1559 transactions (from London), else legacy
//              bits 3-7  wei sent with each call
//     byte 2   n: code A is the next min(4n, rest) bytes, code B the rest
//
// Contract A holds code A, contract B code B; transaction k calls A (k even)
// or B (k odd) with code B plus k as calldata, so the two contracts can call
// each other, read storage both start with, create, self-destruct, log and
// revert. Gas is bounded (at most 400,000 a transaction), so a run stays fast.
//
// Properties, beyond "no crash": the block gives a typed outcome (a
// `BlockResult`, or a `BlockExecutionError` such as a transaction the rules
// reject), the same under both executors: the same receipts (status, gas,
// logs), return data, receipts root, bloom and state delta (the write-set), or
// the same error; the parallel run is not sent to the sequential executor; and
// each transaction spends at most its gas limit.

import ParallaxEVM
import ParallaxEthereum
import ParallaxEthereumBlocks
import ParallaxExecution

enum EVMTarget {
    static let contractA = Address(hi: 0xA0A0, mid: 0, lo: 0xA)
    static let contractB = Address(hi: 0xB0B0, mid: 0, lo: 0xB)
    static let coinbase = Address(hi: 0xC0C0, mid: 0, lo: 0xC)
    static let senders = (1...4).map { Address(hi: 0x5E5E, mid: 0, lo: UInt64($0)) }

    /// (block number, timestamp) inside each mainnet fork; past the DAO block.
    static let forks: [(number: UInt64, timestamp: UInt64)] = [
        (100_000, 1_440_000_000),         // Frontier
        (1_150_000, 1_460_000_000),       // Homestead
        (2_463_000, 1_477_000_000),       // Tangerine Whistle
        (2_675_000, 1_480_000_000),       // Spurious Dragon
        (4_370_000, 1_510_000_000),       // Byzantium
        (7_280_000, 1_551_000_000),       // Petersburg
        (9_069_000, 1_575_000_000),       // Istanbul
        (12_244_000, 1_618_000_000),      // Berlin
        (12_965_000, 1_628_000_000),      // London
        (15_537_394, 1_663_224_162),      // Paris
        (17_034_870, 1_681_338_455),      // Shanghai
        (20_000_000, 1_720_000_000),      // Cancun
    ]
    static let budgets: [UInt64] = [25_000, 60_000, 150_000, 400_000]

    static let engine = EthereumBlockExecutor(policy: .alwaysParallel)
    nonisolated(unsafe) static let parallel = try! ParallelExecutor(threads: 2)

    static func run(_ input: UnsafeRawBufferPointer) {
        let header = Array(input.prefix(3)) + [UInt8](repeating: 0, count: max(0, 3 - input.count))
        let rest = Array(input.dropFirst(3))
        let split = min(4 * Int(header[2]), rest.count)
        let codeA = Array(rest[..<split]), codeB = Array(rest[split...])

        let count = Int(header[0] & 3) + 1
        let creates = header[0] & 4 != 0
        let oneSender = header[0] & 8 != 0
        let (number, timestamp) = forks[Int(header[0] >> 4) % forks.count]
        let fork = engine.chain.fork(number: number, timestamp: timestamp)
        let budget = budgets[Int(header[1] & 3)]
        let dynamicFee = header[1] & 4 != 0 && fork >= .london
        let value = UInt256(UInt64(header[1] >> 3))

        var preState: [Address: PreStateAccount] = [
            contractA: PreStateAccount(nonce: 1, balance: UInt256(1_000_000), code: codeA,
                                       storage: [.zero: .one, .one: UInt256(hex: "ff00ff00ff00ff00ff00ff00ff00ff00")!]),
            contractB: PreStateAccount(nonce: 1, balance: .zero, code: codeB, storage: [.zero: UInt256(2)]),
        ]
        let wealth = UInt256(1_000_000_000_000_000_000 as UInt64) &* UInt256(1000)
        for sender in senders { preState[sender] = PreStateAccount(nonce: 0, balance: wealth) }

        var transactions: [EthereumTransaction] = []
        var from: [Address] = []
        for index in 0..<count {
            let sender = oneSender ? senders[0] : senders[index]
            let nonce = UInt64(oneSender ? index : 0)
            let create = creates && index == 0
            let data = create ? codeA : codeB + [UInt8(index)]
            // Intrinsic gas at its dearest (every byte nonzero, a create, initcode words), then the budget.
            let gas = 21_000 + 16 * UInt64(data.count) + (create ? 32_000 + 2 * UInt64(data.count / 32 + 1) : 0) + budget
            transactions.append(EthereumTransaction(
                kind: dynamicFee ? .dynamicFee : .legacy, chainID: fork >= .spuriousDragon ? 1 : nil, nonce: nonce,
                gasPrice: dynamicFee ? .zero : UInt256(10), maxPriorityFeePerGas: dynamicFee ? .one : .zero,
                maxFeePerGas: dynamicFee ? UInt256(100) : .zero, gasLimit: gas, to: create ? nil : (index % 2 == 0 ? contractA : contractB),
                value: create ? .zero : value, data: data, signature: .init(yParity: 0, r: .one, s: .one)))
            from.append(sender)
        }
        let block = EthereumBlock(
            header: EthereumBlockHeader(
                number: number, timestamp: timestamp, coinbase: coinbase, gasLimit: 30_000_000, gasUsed: 0,
                baseFee: fork >= .london ? UInt256(7) : nil, difficulty: fork >= .paris ? .zero : UInt256(UInt64(1) << 40),
                mixHash: Bytes32(word: UInt256(0x5EED)), blobGasUsed: fork >= .cancun ? 0 : nil,
                excessBlobGas: fork >= .cancun ? 0 : nil,
                parentBeaconBlockRoot: fork >= .cancun ? Bytes32(word: UInt256(0xBEAC)) : nil,
                receiptsRoot: Bytes32(word: .zero), logsBloom: LogsBloom()),
            transactions: transactions, blockHashes: [number - 1: Bytes32(word: UInt256(number - 1)), number - 2: Bytes32(word: UInt256(7))])

        let prepared: PreparedBlock
        do {
            prepared = try engine.prepare(block, preState: preState, senders: from)
        } catch {
            fatalError("the block could not be prepared: \(error)")
        }
        let expected = Result { () throws(BlockExecutionError) in try engine.execute(prepared, on: SequentialExecutor()) }
        let actual = Result { () throws(BlockExecutionError) in try engine.execute(prepared, on: parallel) }
        switch (expected, actual) {
        case (.failure(let a), .failure(let b)):
            require(a == b, "sequential: \(a); parallel: \(b)")
        case (.success, .failure(let error)):
            fatalError("only the parallel executor failed: \(error)")
        case (.failure(let error), .success):
            fatalError("only the sequential executor failed: \(error)")
        case (.success(let expected), .success(let actual)):
            require(actual.sequentialReason == nil, "the parallel run went sequential: \(actual.sequentialReason!)")
            require(actual.receipts == expected.receipts, "the receipts differ")
            require(actual.returnData == expected.returnData, "the return data differ")
            require(actual.stateDelta == expected.stateDelta, "the state deltas differ")
            require(actual.receiptsRoot == expected.receiptsRoot && actual.logsBloom == expected.logsBloom
                        && actual.gasUsed == expected.gasUsed, "the receipts root, bloom or gas differ")
            for (receipt, transaction) in zip(expected.receipts, transactions) {
                require(receipt.gasUsed <= transaction.gasLimit, "a transaction spent \(receipt.gasUsed) of \(transaction.gasLimit) gas")
            }
        }
    }
}
