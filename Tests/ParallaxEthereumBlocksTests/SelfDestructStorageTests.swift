// SELFDESTRUCT before Cancun on Parallax keys: the account goes with its whole
// storage, so a contract created again at the same address (CREATE2, in the
// next transaction of the block) starts with empty storage and is not taken
// for a collision (EIP-7610's storage count goes with the storage). Both
// executors run the block of two `EVMTransaction`s and must agree.
//
// (A test of ParallaxEVM's EVMTransaction and layout; it lives here because
// this target already links the executors.)

import ParallaxEVM
import ParallaxEthereum
import ParallaxExecution
import ParallaxVMInterface
import Testing

private typealias Layout = EthereumStateLayout

private let sender = Address(hex: "a94f5374fce5edbc8e2a8697c15331677e6ebf0b")!
private let factory = Address(hi: 0, mid: 0, lo: 0xFAC7)
private let heir = Address(hi: 0, mid: 0, lo: 0xBEEF)

/// Runtime code: SELFDESTRUCT to `heir`.
private let runtime: [UInt8] = [0x73] + heir.bytes + [0xFF]

/// Initcode: SSTORE(1, SLOAD(0)) (copies whatever slot 0 holds), SSTORE(2, 7), then returns `runtime`.
private let initcode: [UInt8] = {
    let body: [UInt8] = [0x60, 0x00, 0x54, 0x60, 0x01, 0x55, 0x60, 0x07, 0x60, 0x02, 0x55]
    let size = UInt8(runtime.count)
    let offset = UInt8(body.count + 12)
    let copyAndReturn: [UInt8] = [0x60, size, 0x60, offset, 0x60, 0x00, 0x39, 0x60, size, 0x60, 0x00, 0xF3]
    return body + copyAndReturn + runtime
}()

/// Factory code: CREATE2(0, calldata, salt 0), the new address into slot 0.
private let factoryCode: [UInt8] = [
    0x36, 0x60, 0x00, 0x60, 0x00, 0x37,
    0x60, 0x00, 0x36, 0x60, 0x00, 0x60, 0x00, 0xF5,
    0x60, 0x00, 0x55, 0x00,
]

private func transaction(to: Address, data: [UInt8], nonce: UInt64) -> TransactionEnvironment {
    TransactionEnvironment(
        type: 0, caller: sender, to: to, value: .zero, data: data, nonce: nonce, gasLimit: 1_000_000, gasPrice: UInt256(10),
        maxFeePerGas: UInt256(10), maxPriorityFeePerGas: UInt256(10), accessList: [], blobVersionedHashes: [],
        maxFeePerBlobGas: nil)
}

/// The pre-state: the sender, the factory, and the child as an earlier CREATE2 left it (slot 0 set).
private func preState(child: Address) -> InMemoryState {
    var entries: [StateKey: StateValue] = [:]
    entries[Layout.accountKey(sender)] = Layout.accountValue(nonce: 0, codeHash: EmptyHashes.code)
    entries[Layout.balanceKey(sender)] = Layout.balanceValue(UInt256(1_000_000_000_000))
    for (address, code) in [(factory, factoryCode), (child, runtime)] {
        entries[Layout.accountKey(address)] = Layout.accountValue(nonce: 1, codeHash: keccak256(code))
        entries[Layout.codeKey(keccak256(code))] = StateValue(code)
    }
    // The child as an earlier CREATE2 left it: slot 0 set.
    entries[Layout.storageKey(child, .zero)] = Layout.storageValue(child, .zero, UInt256(5))
    entries[Layout.storageCountKey(child)] = Layout.storageCountValue(1)
    return InMemoryState(entries)
}

/// The child's SELFDESTRUCT, then the factory's CREATE2 of it again.
private func destroyAndRecreate(_ child: Address, fork: Fork) -> [any Transaction] {
    let block = BlockEnvironment(
        coinbase: Address(hi: 0, mid: 0, lo: 0xC0FFEE), number: 1, timestamp: 1000, gasLimit: 30_000_000, baseFee: .zero,
        prevRandao: .zero, difficulty: UInt256(0x20000), excessBlobGas: fork >= .cancun ? 0 : nil, chainID: 1)
    return [
        EVMTransaction(transaction(to: child, data: [], nonce: 0), block: block, fork: fork),
        EVMTransaction(transaction(to: factory, data: initcode, nonce: 1), block: block, fork: fork),
    ]
}

@Test(arguments: [Fork.constantinople, .petersburg, .istanbul, .berlin, .london, .shanghai])
func selfDestructWipesStorageOnParallaxKeys(fork: Fork) throws {
    let child = computeCreate2Address(factory, salt: .zero, initcode: initcode)
    let base = preState(child: child)
    let transactions = destroyAndRecreate(child, fork: fork)
    var roots: [StateRoot] = []
    for executor in [SequentialExecutor(), try ParallelExecutor(threads: 2)] as [any BlockExecutor] {
        let output = executor.execute(transactions, on: base)
        #expect(output.transactions.map(\.status) == [.success, .success])
        var post = base
        post.apply(output.stateDelta)
        roots.append(output.stateRoot)
        let accounts = Layout.liveAccounts(in: post.entries)
        // Created again: the old slot 0 is gone, so slot 1 copied a zero; slot 2 is the new storage.
        #expect(accounts[child] == Layout.LiveAccount(nonce: 1, balance: .zero, codeHash: keccak256(runtime),
                                                      storage: [UInt256(2): UInt256(7)]))
        #expect(accounts[factory]?.storage == [.zero: child.word])
        #expect(post.read(Layout.storageCountKey(child))?.uint64Value == 1)
        // The new incarnation's slot lies under a new key; the old slot's entry is left behind, unreachable.
        #expect(post.read(Layout.storageKey(child, UInt256(2))) == nil)
        #expect(post.read(Layout.storageKey(child, .zero)) != nil)

        // Destroyed once more, with its new slot: the next incarnation, and no account.
        let again = EVMTransaction(transaction(to: child, data: [], nonce: 2), block: (transactions[0] as! EVMTransaction).block, fork: fork)
        let third = executor.execute([again], on: post)
        #expect(third.transactions.map(\.status) == [.success])
        post.apply(third.stateDelta)
        #expect(Layout.liveAccounts(in: post.entries)[child] == nil)
        #expect(post.read(Layout.accountKey(child)).flatMap(Layout.decodeAccountEntry)?.incarnation == 2)
        #expect(post.read(Layout.storageCountKey(child)) == nil)
    }
    #expect(roots.count == 2 && roots[0] == roots[1])
}

/// From Cancun (EIP-6780) the SELFDESTRUCT of an older contract deletes
/// nothing: the CREATE2 then collides and the storage stays as it was.
@Test func cancunSelfDestructKeepsTheStorage() throws {
    let child = computeCreate2Address(factory, salt: .zero, initcode: initcode)
    let base = preState(child: child)
    for executor in [SequentialExecutor(), try ParallelExecutor(threads: 2)] as [any BlockExecutor] {
        let output = executor.execute(destroyAndRecreate(child, fork: .cancun), on: base)
        #expect(output.transactions.map(\.status) == [.success, .success])
        var post = base
        post.apply(output.stateDelta)
        let accounts = Layout.liveAccounts(in: post.entries)
        #expect(accounts[child]?.storage == [.zero: UInt256(5)])
        #expect(accounts[factory]?.storage == [:])
        #expect(post.read(Layout.storageCountKey(child))?.uint64Value == 1)
    }
}
