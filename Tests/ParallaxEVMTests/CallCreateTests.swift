import ParallaxEVM
import ParallaxEthereum
import Testing

let other = address(0x2000)
let third = address(0x3000)

/// CALL(gas, to, value, 0, 0, 0, 0) leaving the success flag on the stack.
func callOp(_ to: Address, gas: UInt256 = .max, value: UInt64 = 0, op: UInt8 = 0xF1) -> [UInt8] {
    var c = [0x5F, 0x5F, 0x5F, 0x5F] as [UInt8]
    if op == 0xF1 || op == 0xF2 { c += Op.push(UInt64(value)) }
    return c + Op.push(to) + Op.push(gas) + [op]
}

@Test func callGivesAllButOneSixtyFourth() throws {
    // The callee stores GAS at its slot 0.
    let callee = TestAccount(nonce: 1, code: [0x5A] + Op.store(slot: 0) + Op.stop)
    let caller = callOp(other) + [0x00]
    let gasLimit: UInt64 = 200_000
    let (r, w) = try runContract(caller, others: [other: callee], gas: gasLimit)
    #expect(r.status == .success)
    // Before CALL: 4 PUSH0 (8) + PUSH0 value (2) + PUSH20 (3) + PUSH32 (3); CALL cold 2600.
    let available = Int64(gasLimit) - 21000 - 16 - 2600
    let child = available - available / 64
    #expect(w.accounts[other]?.storage[0] == UInt256(UInt64(child - 2)))
}

@Test func callWithValueAddsStipendAndNewAccountCost() throws {
    // Sends 1 wei to an empty account; the callee has no code.
    var w = world(code: callOp(third, gas: .zero, value: 1) + Op.store(slot: 0) + Op.stop)
    w.accounts[contract]?.balance = UInt256(10)
    let r = try EVM(fork: .cancun).transact(call(contract), block: testBlock(), state: w)
    w.apply(r.changes, coinbase: coinbase)
    #expect(r.status == .success)
    #expect(w.accounts[third]?.balance == .one)
    #expect(w.accounts[contract]?.storage[0] == .one)
    // pushes 4*2 + 3 + 3 + 2 (PUSH0 gas); CALL 2600 + 9000 + 25000; the callee has no code, so the
    // 2300 stipend comes back to the caller unused (a net gain); SSTORE cold 2100 + 20000, PUSH0 2.
    #expect(r.gasUsed == 21000 + 8 + 3 + 3 + 2 + 2600 + 9000 + 25000 - 2300 + 2 + 22100)
}

@Test func revertUndoesNestedWritesButKeepsOuterOnes() throws {
    // third: SSTORE(0, 3). other: SSTORE(0, 2); CALL third; REVERT.
    let thirdCode = Op.push(UInt64(3)) + Op.store(slot: 0) + Op.stop
    let otherCode = Op.push(UInt64(2)) + Op.store(slot: 0) + callOp(third) + [0x5F, 0x5F, 0xFD]
    // contract: SSTORE(0, 1); CALL other -> slot 1; STOP.
    let code = Op.push(UInt64(1)) + Op.store(slot: 0) + callOp(other) + Op.store(slot: 1) + Op.stop
    let (r, w) = try runContract(
        code,
        others: [other: TestAccount(nonce: 1, code: otherCode), third: TestAccount(nonce: 1, code: thirdCode)])
    #expect(r.status == .success)
    #expect(w.accounts[contract]?.storage[0] == .one)
    #expect(w.accounts[contract]?.storage[1] == nil)  // the call failed: 0
    #expect(w.accounts[other]?.storage.isEmpty == true)
    #expect(w.accounts[third]?.storage.isEmpty == true)
}

@Test func successfulNestedCallKeepsWrites() throws {
    let thirdCode = Op.push(UInt64(3)) + Op.store(slot: 0) + Op.stop
    let code = callOp(third) + Op.store(slot: 1) + Op.stop
    let (_, w) = try runContract(code, others: [third: TestAccount(nonce: 1, code: thirdCode)])
    #expect(w.accounts[third]?.storage[0] == UInt256(3))
    #expect(w.accounts[contract]?.storage[1] == .one)
}

@Test func staticCallForbidsStateChanges() throws {
    let otherCode = Op.push(UInt64(2)) + Op.store(slot: 0) + Op.stop
    let readOnly = [0x47] + Op.push(UInt64(0)) + [0x52] + Op.push(UInt64(32)) + [0x5F, 0xF3]  // SELFBALANCE, return it
    // The failing call consumes all the gas it is given: give each 50000.
    let code = callOp(other, gas: UInt256(50000), op: 0xFA) + Op.store(slot: 0)
        + callOp(third, gas: UInt256(50000), op: 0xFA) + Op.store(slot: 1) + Op.stop
    let (r, w) = try runContract(
        code,
        others: [other: TestAccount(nonce: 1, code: otherCode), third: TestAccount(nonce: 1, code: readOnly)])
    #expect(r.status == .success)
    #expect(w.accounts[contract]?.storage[0] == nil)
    #expect(w.accounts[contract]?.storage[1] == .one)
    #expect(w.accounts[other]?.storage.isEmpty == true)
}

@Test func returnDataCopyOutOfBoundsHalts() throws {
    // RETURNDATACOPY(0, 0, 1) with no return data.
    let (r, _) = try runContract(Op.push(UInt64(1)) + [0x5F, 0x5F, 0x3E, 0x00])
    #expect(r.status == .halt(.returnDataOutOfBounds))
}

@Test func createAddresses() {
    let deployer = Address(hex: "6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0")!
    #expect(computeCreateAddress(deployer, nonce: 0) == Address(hex: "cd234a471b72ba2f1ccf0a70fcaba648a5eecd8d"))
    #expect(computeCreateAddress(deployer, nonce: 1) == Address(hex: "343c43a37d37dff08ae8c4a11544c718abb4fcf8"))
    // EIP-1014 examples.
    #expect(
        computeCreate2Address(.zero, salt: .zero, initcode: [0x00])
            == Address(hex: "4D1A2e2bB4F88F0250f26Ffff098B0b30B26BF38"))
    #expect(
        computeCreate2Address(Address(hex: "deadbeef00000000000000000000000000000000")!, salt: .zero, initcode: [0x00])
            == Address(hex: "B928f69Bb1D91Cd65274e3c79d8986362984fDA3"))
    #expect(
        computeCreate2Address(
            Address(hex: "00000000000000000000000000000000deadbeef")!, salt: UInt256(0xCAFE_BABE),
            initcode: [0xDE, 0xAD, 0xBE, 0xEF])
            == Address(hex: "60f3f640a8508fC6a86d45DF051962668E1e8AC7"))
}

/// Initcode returning `runtime` (at most 32 bytes).
func initcode(returning runtime: [UInt8]) -> [UInt8] {
    // PUSHn runtime, PUSH0, MSTORE, PUSH1 n, PUSH1 32-n, RETURN
    Op.push(UInt256(bigEndianBytes: runtime)!) + [0x5F, 0x52] + Op.push(UInt64(runtime.count))
        + Op.push(UInt64(32 - runtime.count)) + [0xF3]
}

@Test func createDeploysCode() throws {
    let runtime: [UInt8] = [0x60, 0x2A, 0x5F, 0x55, 0x00]  // SSTORE(0, 42)
    let ic = initcode(returning: runtime)
    // Put the initcode in memory: one MSTORE of a right-aligned word, then CREATE(0, 32-n, n).
    let code = Op.push(UInt256(bigEndianBytes: ic)!) + [0x5F, 0x52] + Op.push(UInt64(ic.count))
        + Op.push(UInt64(32 - ic.count)) + [0x5F, 0xF0] + Op.store(slot: 0) + Op.stop
    let (r, w) = try runContract(code)
    #expect(r.status == .success)
    let created = computeCreateAddress(contract, nonce: 1)
    #expect(w.accounts[contract]?.storage[0] == created.word)
    #expect(w.accounts[created]?.code == runtime)
    #expect(w.accounts[created]?.nonce == 1)
    #expect(w.accounts[contract]?.nonce == 2)
}

@Test func createTransaction() throws {
    var w = TestWorld()
    w.accounts[sender] = TestAccount(balance: UInt256(1_000_000_000_000))
    let ic = initcode(returning: [0x00])
    var tx = call(contract, data: ic)
    tx.to = nil
    let r = try EVM(fork: .cancun).transact(tx, block: testBlock(), state: w)
    w.apply(r.changes, coinbase: coinbase)
    let created = computeCreateAddress(sender, nonce: 0)
    #expect(r.status == .success)
    #expect(r.createdAddress == created)
    #expect(w.accounts[created]?.code == [0x00])
    #expect(w.accounts[sender]?.nonce == 1)
}

@Test func createRejectsEFPrefix() throws {
    var w = TestWorld()
    w.accounts[sender] = TestAccount(balance: UInt256(1_000_000_000_000))
    var tx = call(contract, data: initcode(returning: [0xEF]))
    tx.to = nil
    let r = try EVM(fork: .cancun).transact(tx, block: testBlock(), state: w)
    #expect(r.status == .halt(.invalidCodePrefix))
}

@Test func selfDestructOfOldContractOnlyMovesBalance() throws {
    var w = world(code: Op.push(other) + [0xFF])
    w.accounts[contract]?.balance = UInt256(100)
    let r = try EVM(fork: .cancun).transact(call(contract), block: testBlock(), state: w)
    w.apply(r.changes, coinbase: coinbase)
    #expect(w.accounts[contract]?.code == Op.push(other) + [0xFF])
    #expect(w.accounts[contract]?.balance == .zero)
    #expect(w.accounts[other]?.balance == UInt256(100))
}

@Test func touchedEmptyAccountIsDeleted() throws {
    var w = world(code: callOp(third) + Op.stop)
    w.accounts[third] = TestAccount()
    let r = try EVM(fork: .cancun).transact(call(contract), block: testBlock(), state: w)
    #expect(r.changes.accounts[third] == .some(nil))
}

@Test func coinbaseFeeIsACredit() throws {
    let (r, _) = try runContract([0x00])
    #expect(r.gasUsed == 21000)
    #expect(r.changes.coinbaseCredit == UInt256(UInt64(21000 * 2)))
    #expect(r.changes.accounts[coinbase] == nil)
}

@Test func callWithoutFundsPushesZeroAndContinues() throws {
    // CALL with 1 wei from a contract holding none: fails in place, the loop goes on.
    let code = callOp(third, gas: UInt256(10000), value: 1) + Op.push(UInt64(1)) + [0x01] + Op.store(slot: 0) + Op.stop
    let (r, w) = try runContract(code)
    #expect(r.status == .success)
    #expect(w.accounts[contract]?.storage[0] == .one)
    #expect(w.accounts[third] == nil)
}
