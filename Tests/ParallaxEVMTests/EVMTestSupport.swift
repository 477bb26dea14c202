// An in-memory world for the EVM tests and helpers that deploy bytecode, send
// one transaction and apply its changes.

import ParallaxEVM
import ParallaxEthereum

struct TestAccount {
    var nonce: UInt64 = 0
    var balance: UInt256 = .zero
    var code: [UInt8] = []
    var storage: [UInt256: UInt256] = [:]
}

struct TestWorld: EVMStateBackend {
    var accounts: [Address: TestAccount] = [:]
    var blockHashes: [UInt64: Bytes32] = [:]

    func account(_ address: Address) throws -> AccountInfo? {
        guard let a = accounts[address] else { return nil }
        return AccountInfo(nonce: a.nonce, balance: a.balance, codeHash: keccak256(a.code))
    }

    func code(_ codeHash: Bytes32) throws -> [UInt8] {
        accounts.values.first { keccak256($0.code) == codeHash }?.code ?? []
    }

    func storage(_ address: Address, _ slot: UInt256) throws -> UInt256 {
        accounts[address]?.storage[slot] ?? .zero
    }

    func blockHash(_ number: UInt64) throws -> Bytes32? { blockHashes[number] }

    /// Writes a transaction's changes back (the `StateChanges` contract).
    mutating func apply(_ changes: StateChanges, coinbase: Address) {
        for (address, info) in changes.accounts {
            guard let info else {
                accounts[address] = nil
                continue
            }
            var a = accounts[address] ?? TestAccount()
            a.nonce = info.nonce
            a.balance = info.balance
            if keccak256(a.code) != info.codeHash { a.code = changes.newCode[info.codeHash] ?? [] }
            accounts[address] = a
        }
        for address in changes.storageWiped { accounts[address]?.storage = [:] }
        for (address, slots) in changes.storage {
            for (slot, value) in slots { accounts[address]?.storage[slot] = value.isZero ? nil : value }
        }
        if !changes.coinbaseCredit.isZero {
            accounts[coinbase, default: TestAccount()].balance = accounts[coinbase, default: TestAccount()].balance
                &+ changes.coinbaseCredit
        }
    }
}

func address(_ n: UInt64) -> Address { Address(hi: 0, mid: 0, lo: n) }

let sender = Address(hex: "a94f5374fce5edbc8e2a8697c15331677e6ebf0b")!
let contract = address(0x1000)
let coinbase = address(0xC0FFEE)

func hexBytes(_ s: String) -> [UInt8] { (try? Hex.decode(s)) ?? [] }

func testBlock() -> BlockEnvironment {
    BlockEnvironment(
        coinbase: coinbase, number: 10, timestamp: 1000, gasLimit: 30_000_000, baseFee: UInt256(7),
        prevRandao: .zero, difficulty: .zero, excessBlobGas: 0, chainID: 1)
}

func call(
    _ to: Address, data: [UInt8] = [], value: UInt256 = .zero, gas: UInt64 = 1_000_000,
    accessList: [(Address, [UInt256])] = []
) -> TransactionEnvironment {
    TransactionEnvironment(
        type: 2, caller: sender, to: to, value: value, data: data, nonce: 0, gasLimit: gas, gasPrice: UInt256(10),
        maxFeePerGas: UInt256(10), maxPriorityFeePerGas: UInt256(2), accessList: accessList,
        blobVersionedHashes: [], maxFeePerBlobGas: nil)
}

/// A world with a funded sender and `code` deployed at `contract`.
func world(code: [UInt8], storage: [UInt256: UInt256] = [:], others: [Address: TestAccount] = [:]) -> TestWorld {
    var w = TestWorld()
    w.accounts[sender] = TestAccount(balance: UInt256(1_000_000_000_000))
    w.accounts[contract] = TestAccount(nonce: 1, code: code, storage: storage)
    for (a, acct) in others { w.accounts[a] = acct }
    return w
}

/// Runs one call to `contract` and returns the result and the world after it.
func runContract(
    _ code: [UInt8], storage: [UInt256: UInt256] = [:], others: [Address: TestAccount] = [:], data: [UInt8] = [],
    gas: UInt64 = 1_000_000
) throws -> (TransactionResult, TestWorld) {
    var w = world(code: code, storage: storage, others: others)
    let r = try EVM(fork: .cancun).transact(call(contract, data: data, gas: gas), block: testBlock(), state: w)
    w.apply(r.changes, coinbase: coinbase)
    return (r, w)
}

/// Bytecode assembler helpers.
enum Op {
    static func push(_ v: UInt256) -> [UInt8] {
        if v.isZero { return [0x5F] }
        let bytes = Array(v.bigEndianBytes.drop { $0 == 0 })
        return [0x5F + UInt8(bytes.count)] + bytes
    }
    static func push(_ v: UInt64) -> [UInt8] { push(UInt256(v)) }
    static func push(_ a: Address) -> [UInt8] { [0x73] + a.bytes }
    /// SSTORE(slot, top of stack).
    static func store(slot: UInt64) -> [UInt8] { push(slot) + [0x55] }
    static let stop: [UInt8] = [0x00]
}
