// `parallax-evm bench-erc20`: single-thread ERC-20 `transfer` calls per
// second, the interpreter's figure that `perf/erc20_vs_revm.py` puts beside
// revm's. Two numbers from the same calls: `EVM.transact` over an in-memory
// world (each call's changes applied before the next, as revm's
// `message_call` commits), and the same transactions as one block of
// `EVMTransaction`s through the sequential executor on Parallax keys.

import ArgumentParser
import Foundation
import ParallaxEthereum
import ParallaxEVM
import ParallaxExecution

struct BenchERC20Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-erc20",
        abstract: "Single-thread ERC-20 transfer calls per second (the EVM alone, and through the sequential executor)."
    )

    @Option(help: "Transfer calls.") var calls = 20_000
    @Option(help: "Distinct senders (each holds tokens).") var senders = 1_000
    @Option(help: "Runtime bytecode of an ERC-20 whose balances are the mapping at slot 0 (hex).")
    var contract = "Tests/Fixtures/contracts/ERC20Token.hex"
    @Flag(help: "One JSON object.") var json = false

    func run() throws {
        let text = try String(contentsOfFile: contract, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let code = try Hex.decode(text)
        let token = Address(hi: 0x7070_7070, mid: 0x7070_7070_7070_7070, lo: 0x7070_7070_7070_7070)
        let holders = (0..<senders).map { Address(hi: 0, mid: 0, lo: 0x1000 + UInt64($0)) }
        let codeHash = keccak256(code)
        var world = WorldState(accounts: [:], codes: [codeHash: code])
        var tokenStorage: [UInt256: UInt256] = [:]
        for holder in holders {
            world.accounts[holder] = WorldAccount(nonce: 0, balance: UInt256(UInt64(1) << 62), code: [], codeHash: EmptyHashes.code, storage: [:])
            tokenStorage[BenchERC20Command.balanceSlot(holder)] = UInt256(UInt64(1) << 60)
        }
        world.accounts[token] = WorldAccount(nonce: 1, balance: .zero, code: code, codeHash: codeHash, storage: tokenStorage)
        let block = BlockEnvironment(coinbase: Address(hi: 0, mid: 0, lo: 0xC0FFEE), number: 1, timestamp: 1, gasLimit: UInt64.max >> 1,
                                     baseFee: .zero, prevRandao: .zero, difficulty: .zero, excessBlobGas: 0, chainID: 1)
        var nonces = [UInt64](repeating: 0, count: senders)
        let transactions = (0..<calls).map { index -> TransactionEnvironment in
            let sender = index % senders
            defer { nonces[sender] += 1 }
            let recipient = Address(hi: 0, mid: 1, lo: UInt64(index % 977))
            let data: [UInt8] = [0xA9, 0x05, 0x9C, 0xBB] + recipient.word.bigEndianBytes + UInt256(UInt64(1 + index % 1000)).bigEndianBytes
            return TransactionEnvironment(type: 0, caller: holders[sender], to: token, value: .zero, data: data, nonce: nonces[sender],
                                          gasLimit: 100_000, gasPrice: .zero, maxFeePerGas: .zero, maxPriorityFeePerGas: .zero,
                                          accessList: [], blobVersionedHashes: [], maxFeePerBlobGas: nil)
        }

        let evm = EVM(fork: .cancun)
        var direct = world
        let start = ContinuousClock.now
        for transaction in transactions {
            let result = try evm.transact(transaction, block: block, state: InMemoryBackend(world: direct, blockHashes: [:]))
            guard result.status == .success else { throw ValidationError("a transfer failed: \(result.status)") }
            direct.apply(result.changes, coinbase: block.coinbase)
        }
        let directSeconds = BenchERC20Command.seconds(ContinuousClock.now - start)

        let base = InMemoryState(EngineVectorExecutor.entries(of: world))
        let block0 = transactions.map { EVMTransaction($0, block: block, fork: .cancun) as any Transaction }
        let executorStart = ContinuousClock.now
        let output = SequentialExecutor().execute(block0, on: base)
        let executorSeconds = BenchERC20Command.seconds(ContinuousClock.now - executorStart)
        guard output.transactions.allSatisfy({ $0.status == .success }) else { throw ValidationError("a transfer failed in the executor") }

        let direct_ = Double(calls) / directSeconds, executor = Double(calls) / executorSeconds
        if json {
            print(#"{"calls":\#(calls),"calls_per_sec":\#(direct_),"executor_calls_per_sec":\#(executor)}"#)
        } else {
            print("EVM alone: \(Int(direct_)) transfers/s; sequential executor on Parallax keys: \(Int(executor)) transfers/s")
        }
    }

    /// Solidity's slot of `holder` in the mapping at slot 0: keccak(pad32(holder) ‖ pad32(0)).
    static func balanceSlot(_ holder: Address) -> UInt256 {
        keccak256(holder.word.bigEndianBytes + [UInt8](repeating: 0, count: 32)).word
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
