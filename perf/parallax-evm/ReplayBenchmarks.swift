// `parallax-evm bench`: pevm's "gigagas" blocks (mocked Cancun blocks of
// about a billion gas whose transactions do not depend on one another) run
// through the block executor on the sequential executor and on Block-STM.
//
// - raw-transfers: transaction i sends 1 wei from account i to a recipient of
//   its own (21,000 gas each);
// - erc20: transaction i calls `transfer` of one ERC-20 (pevm's
//   ERC20Token.hex, balances in the mapping at slot 0) from holder i to a
//   recipient of its own that already holds some (no new storage slot).
// The uniswap workload (pevm's V3 pools) is not built yet.

import ArgumentParser
import Foundation
import ParallaxEthereum
import ParallaxEthereumBlocks
import ParallaxExecution

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "pevm's gigagas blocks (independent transactions) on the sequential executor and Block-STM.",
        discussion: "Times are the fastest of --repeat rounds, each running the sequential executor and then Block-STM at each thread count."
    )

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case rawTransfers = "raw-transfers"
        case erc20
    }

    @Option(help: "raw-transfers or erc20.") var workload = Workload.rawTransfers
    @Option(help: "The block's gas (transactions: gas / gas per transaction).") var gas: UInt64 = 1_000_000_000
    @Option(help: "Worker threads of the parallel executor; a comma-separated list runs each.") var threads = "2"
    @Option(help: "Rounds; the fastest is reported.") var `repeat` = 3
    @Option(help: "Runtime bytecode of the ERC-20 (hex).") var contract = "Tests/Fixtures/contracts/ERC20Token.hex"
    @Flag(help: "One JSON object per thread count.") var json = false

    func run() throws {
        let counts = threads.split(separator: ",").compactMap { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }), `repeat` >= 1 else {
            throw ValidationError("--threads: positive integers separated by commas; --repeat at least 1")
        }
        let (block, senders, preState) = try makeBlock()
        let engine = EthereumBlockExecutor(chain: .mainnet, policy: .alwaysParallel)
        let prepared = try engine.prepare(block, preState: preState, senders: senders)
        var variants = [Variant(engine: engine, executor: SequentialExecutor())]
        for count in counts { variants.append(Variant(engine: engine, executor: try ParallelExecutor(threads: count))) }
        for _ in 0..<`repeat` {
            for index in variants.indices where variants[index].error == nil { variants[index].run(prepared) }
        }
        guard let reference = variants[0].result else { throw ValidationError("sequential: \(variants[0].error ?? "no result")") }
        guard reference.receipts.allSatisfy({ $0.succeeded == true }) else { throw ValidationError("a transaction of the block failed") }
        for (index, threads) in counts.enumerated() {
            let variant = variants[index + 1]
            guard let result = variant.result else { throw ValidationError("parallel: \(variant.error ?? "no result")") }
            let agree = result.receipts == reference.receipts && result.stateDelta == reference.stateDelta
            let speedup = variants[0].best / variant.best
            if json {
                print(#"{"workload":"\#(workload.rawValue)","txns":\#(block.transactions.count),"gas":\#(reference.gasUsed),"#
                    + #""threads":\#(threads),"sequential_ms":\#(String(format: "%.3f", variants[0].best)),"#
                    + #""parallel_ms":\#(String(format: "%.3f", variant.best)),"speedup":\#(String(format: "%.3f", speedup)),"#
                    + #""reexecutions":\#(result.reexecutions),"executors_agree":\#(agree)}"#)
            } else {
                print("\(workload.rawValue): \(block.transactions.count) transactions, \(reference.gasUsed) gas; sequential "
                    + String(format: "%.1f", variants[0].best) + " ms, Block-STM at \(threads) threads " + String(format: "%.1f", variant.best)
                    + " ms (" + String(format: "%.2f", speedup) + "x), \(result.reexecutions) reexecutions"
                    + (agree ? "" : "; THE EXECUTORS DISAGREE"))
            }
            if !agree { throw ExitCode(1) }
        }
    }

    func makeBlock() throws -> (EthereumBlock, [Address], [Address: PreStateAccount]) {
        let coinbase = Address(hi: 0xC0, mid: 0xFFEE, lo: 1)
        let perTransaction: UInt64 = workload == .rawTransfers ? 21_000 : 60_000
        let count = Int(gas / (workload == .rawTransfers ? 21_000 : 26_937))
        let ether = UInt256(1_000_000_000_000_000_000 as UInt64)
        var preState: [Address: PreStateAccount] = [:]
        var senders: [Address] = []
        var transactions: [EthereumTransaction] = []
        senders.reserveCapacity(count)
        transactions.reserveCapacity(count)
        let token = Address(hi: 0x7070_7070, mid: 0x7070_7070_7070_7070, lo: 0x7070_7070_7070_7070)
        var tokenStorage: [UInt256: UInt256] = [:]
        for index in 0..<count {
            let sender = Address(hi: 0x1000, mid: 0, lo: UInt64(index))
            let recipient = Address(hi: 0x2000, mid: 0, lo: UInt64(index))
            preState[sender] = PreStateAccount(nonce: 0, balance: ether)
            senders.append(sender)
            var to = recipient
            var value = UInt256.one
            var data: [UInt8] = []
            if workload == .erc20 {
                tokenStorage[BenchERC20Command.balanceSlot(sender)] = UInt256(1_000_000)
                tokenStorage[BenchERC20Command.balanceSlot(recipient)] = UInt256(1)   // a holder already: no new slot
                to = token
                value = .zero
                data = [0xA9, 0x05, 0x9C, 0xBB] + recipient.word.bigEndianBytes + UInt256(UInt64(1 + index % 1000)).bigEndianBytes
            }
            transactions.append(EthereumTransaction(
                kind: .dynamicFee, chainID: 1, nonce: 0, maxPriorityFeePerGas: .one, maxFeePerGas: UInt256(1_000),
                gasLimit: perTransaction, to: to, value: value, data: data, signature: .init(yParity: 0, r: .one, s: .one)))
        }
        if workload == .erc20 {
            let text = try String(contentsOfFile: contract, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            preState[token] = PreStateAccount(nonce: 1, balance: .zero, code: try Hex.decode(text), storage: tokenStorage)
        }
        let header = EthereumBlockHeader(
            number: 20_000_000, timestamp: 1_720_000_000, coinbase: coinbase, gasLimit: UInt64(count) * perTransaction,
            gasUsed: 0, baseFee: UInt256(7), difficulty: .zero, mixHash: .zero, blobGasUsed: 0, excessBlobGas: 0,
            parentBeaconBlockRoot: nil, receiptsRoot: EmptyHashes.trieRoot, logsBloom: LogsBloom())
        return (EthereumBlock(header: header, transactions: transactions), senders, preState)
    }
}
