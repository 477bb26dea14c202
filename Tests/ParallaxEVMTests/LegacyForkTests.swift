// The fork rules before Cancun that the multi-fork state tests pinned down:
// EIP-3607 at every fork, the pre-Spurious-Dragon new-account charge of a
// zero-value CALL, EIP-1283 in Constantinople only, and the RIPEMD-160 touch
// that survives a failed nested call from Spurious Dragon on. Each case runs
// the same transaction under the forks on both sides of the rule.

import ParallaxEVM
import ParallaxEthereum
import Testing

/// PUSH1 (no PUSH0: it does not exist before Shanghai).
private func push1(_ v: UInt8) -> [UInt8] { [0x60, v] }

/// CALL(gas, target, value 0, no input, no output), result popped.
private func callCode(_ target: Address, gas: UInt8) -> [UInt8] {
    push1(0) + push1(0) + push1(0) + push1(0) + push1(0) + [0x73] + target.bytes + push1(gas) + [0xF1, 0x50]
}

/// A legacy (type 0) call from `sender` to `contract`.
private func legacyCall(gas: UInt64 = 1_000_000) -> TransactionEnvironment {
    TransactionEnvironment(
        type: 0, caller: sender, to: contract, value: .zero, data: [], nonce: 0, gasLimit: gas, gasPrice: UInt256(10),
        maxFeePerGas: UInt256(10), maxPriorityFeePerGas: UInt256(10), accessList: [], blobVersionedHashes: [],
        maxFeePerBlobGas: nil)
}

private func run(_ fork: Fork, code: [UInt8], others: [Address: TestAccount] = [:]) throws -> TransactionResult {
    try EVM(fork: fork).transact(legacyCall(), block: testBlock(), state: world(code: code, others: others))
}

@Test(arguments: Fork.allCases)
func senderWithCodeIsRejectedAtEveryFork(fork: Fork) throws {
    var w = world(code: [0x00])
    w.accounts[sender]?.code = [0x00]
    #expect(throws: InvalidTransaction.senderHasCode) {
        try EVM(fork: fork).transact(legacyCall(), block: testBlock(), state: w)
    }
}

@Test(arguments: [(Fork.frontier, UInt64(25000)), (.homestead, 25000), (.tangerineWhistle, 25000), (.spuriousDragon, 0), (.petersburg, 0)])
func zeroValueCallToAnAbsentAccountPaysForItBeforeSpuriousDragon(fork: Fork, charge: UInt64) throws {
    let target = address(0xABCD)
    let code = callCode(target, gas: 0) + [0x00]
    let absent = try run(fork, code: code)
    let present = try run(fork, code: code, others: [target: TestAccount(balance: .one)])
    #expect(absent.status == .success && present.status == .success)
    #expect(absent.gasUsed - present.gasUsed == charge)
    // Before Spurious Dragon the call creates the empty account; after, it is touched and deleted.
    let created = absent.changes.accounts[target]
    if fork < .spuriousDragon {
        #expect(created == .some(AccountInfo(nonce: 0, balance: .zero, codeHash: EmptyHashes.code)))
    } else {
        #expect(created == .some(nil))
    }
}

@Test func netGasMeteringIsConstantinopleOnlyBeforeIstanbul() throws {
    // SSTORE(0, 1) twice on an empty slot: the second is a no-op write.
    let code = push1(1) + push1(0) + [0x55] + push1(1) + push1(0) + [0x55, 0x00]
    let constantinople = try run(.constantinople, code: code)
    let petersburg = try run(.petersburg, code: code)
    let byzantium = try run(.byzantium, code: code)
    // EIP-1283: 200 for the no-op; Petersburg and Byzantium: 5000 (the Frontier reset price).
    #expect(petersburg.gasUsed - constantinople.gasUsed == 4800)
    #expect(petersburg.gasUsed == byzantium.gasUsed)
    // Istanbul (EIP-2200) prices the no-op as an SLOAD, 800.
    let istanbul = try run(.istanbul, code: code)
    #expect(istanbul.gasUsed - constantinople.gasUsed == 600)
}

@Test(arguments: [Fork.spuriousDragon, .byzantium, .istanbul, .berlin, .london])
func failedCallKeepsTheRipemdTouch(fork: Fork) throws {
    let empty = TestAccount()
    let precompiles: [Address: TestAccount] = [address(2): empty, address(3): empty]
    // A call with no gas to 0x03 fails (RIPEMD-160 costs 600 and more): its touch stays, the empty account goes.
    let ripemd = try run(fork, code: callCode(address(3), gas: 0) + [0x00], others: precompiles)
    #expect(ripemd.status == .success)
    #expect(ripemd.changes.accounts[address(3)] == .some(nil))
    // The same failure on 0x02 (SHA-256) reverts its touch: the account is left alone.
    let sha = try run(fork, code: callCode(address(2), gas: 0) + [0x00], others: precompiles)
    #expect(sha.changes.accounts[address(2)] == nil)
    // When the top frame fails too, the touch goes with everything else.
    let failed = try run(fork, code: callCode(address(3), gas: 0) + [0xFE], others: precompiles)
    #expect(failed.status != .success)
    #expect(failed.changes.accounts[address(3)] == nil)
}

@Test(arguments: [Fork.frontier, .homestead, .tangerineWhistle])
func ripemdTouchIsRevertedBeforeSpuriousDragon(fork: Fork) throws {
    let precompiles: [Address: TestAccount] = [address(3): TestAccount()]
    let result = try run(fork, code: callCode(address(3), gas: 0) + [0x00], others: precompiles)
    #expect(result.status == .success)
    #expect(result.changes.accounts[address(3)] == nil)
}
