import ParallaxEVM
import ParallaxEthereum
import Testing

/// Runs `a op b` (a on top) and returns the word stored.
func binary(_ op: UInt8, _ a: UInt256, _ b: UInt256) throws -> UInt256 {
    let code = Op.push(b) + Op.push(a) + [op] + Op.store(slot: 0) + Op.stop
    let (r, w) = try runContract(code)
    #expect(r.status == .success)
    return w.accounts[contract]?.storage[0] ?? .zero
}

let minusOne = UInt256.max

@Test func arithmetic() throws {
    #expect(try binary(0x01, UInt256(3), UInt256(5)) == UInt256(8))
    #expect(try binary(0x01, .max, UInt256(2)) == .one)
    #expect(try binary(0x03, UInt256(3), UInt256(5)) == UInt256(2).negated)
    #expect(try binary(0x02, UInt256(6), UInt256(7)) == UInt256(42))
    #expect(try binary(0x04, UInt256(7), .zero) == .zero)
    #expect(try binary(0x04, UInt256(7), UInt256(2)) == UInt256(3))
    #expect(try binary(0x05, UInt256(7).negated, UInt256(2)) == UInt256(3).negated)
    #expect(try binary(0x06, UInt256(7), UInt256(4)) == UInt256(3))
    #expect(try binary(0x07, UInt256(7).negated, UInt256(4)) == UInt256(3).negated)
    #expect(try binary(0x0A, UInt256(2), UInt256(10)) == UInt256(1024))
    #expect(try binary(0x0B, .zero, UInt256(0xFF)) == .max)
    #expect(try binary(0x10, UInt256(1), UInt256(2)) == .one)
    #expect(try binary(0x11, UInt256(1), UInt256(2)) == .zero)
    #expect(try binary(0x12, minusOne, .zero) == .one)
    #expect(try binary(0x13, minusOne, .zero) == .zero)
    #expect(try binary(0x1A, UInt256(31), UInt256(0xAB)) == UInt256(0xAB))
    #expect(try binary(0x1B, UInt256(4), UInt256(1)) == UInt256(16))
    #expect(try binary(0x1C, UInt256(4), UInt256(16)) == .one)
    #expect(try binary(0x1D, UInt256(4), UInt256(16).negated) == .one.negated)
}

@Test func addmodMulmod() throws {
    let addmod = Op.push(UInt256(7)) + Op.push(UInt256(5)) + Op.push(UInt256(4)) + [0x08] + Op.store(slot: 0)
    let mulmod = Op.push(UInt256(7)) + Op.push(UInt256(5)) + Op.push(UInt256(4)) + [0x09] + Op.store(slot: 1)
    let (_, w) = try runContract(addmod + mulmod + Op.stop)
    #expect(w.accounts[contract]?.storage[0] == UInt256(2))
    #expect(w.accounts[contract]?.storage[1] == UInt256(6))
}

@Test func memoryExpansionGas() throws {
    // PUSH0 PUSH0 MSTORE: 2 + 2 + 3 + 3 (one word).
    let (r1, _) = try runContract([0x5F, 0x5F, 0x52, 0x00])
    #expect(r1.gasUsed == 21000 + 2 + 2 + 3 + 3)
    // MSTORE at 1024: 33 words = 3 * 33 + 33 * 33 / 512 = 101.
    let (r2, _) = try runContract([0x5F] + Op.push(UInt64(1024)) + [0x52, 0x00])
    #expect(r2.gasUsed == 21000 + 2 + 3 + 3 + 101)
    // MSIZE after touching byte 40 with MSTORE8: 64.
    let (_, w) = try runContract([0x5F] + Op.push(UInt64(40)) + [0x53, 0x59] + Op.store(slot: 0) + Op.stop)
    #expect(w.accounts[contract]?.storage[0] == UInt256(64))
}

@Test func hugeMemoryOffsetIsOutOfGasNotACrash() throws {
    let (r, _) = try runContract([0x5F] + Op.push(UInt256.max) + [0x52, 0x00])
    #expect(r.status == .halt(.outOfGas))
    #expect(r.gasUsed == 1_000_000)
}

@Test func keccakOpcode() throws {
    // keccak256 of 32 zero bytes.
    let (_, w) = try runContract(Op.push(UInt64(32)) + [0x5F, 0x20] + Op.store(slot: 0) + Op.stop)
    #expect(w.accounts[contract]?.storage[0] == keccak256([UInt8](repeating: 0, count: 32)).word)
}

@Test func jumpIntoPushDataIsInvalid() throws {
    // PUSH1 4, JUMP, PUSH1 0x5b, STOP: offset 4 is the PUSH1's data.
    let (r, _) = try runContract([0x60, 0x04, 0x56, 0x60, 0x5B, 0x00])
    #expect(r.status == .halt(.badJump))
    #expect(r.gasUsed == 1_000_000)
    // PUSH1 4, JUMP, INVALID, JUMPDEST, PUSH1 1, PUSH0, SSTORE.
    let (ok, w) = try runContract([0x60, 0x04, 0x56, 0xFE, 0x5B, 0x60, 0x01, 0x5F, 0x55, 0x00])
    #expect(ok.status == .success)
    #expect(w.accounts[contract]?.storage[0] == .one)
}

@Test func stackLimit() throws {
    let (full, _) = try runContract([UInt8](repeating: 0x5F, count: 1024) + Op.stop)
    #expect(full.status == .success)
    let (over, _) = try runContract([UInt8](repeating: 0x5F, count: 1025) + Op.stop)
    #expect(over.status == .halt(.stackOverflow))
    let (under, _) = try runContract([0x01])
    #expect(under.status == .halt(.stackUnderflow))
}

@Test func invalidOpcodesHalt() throws {
    for op: UInt8 in [0xFE, 0x0C, 0x21, 0xEF, 0xF6] {
        let (r, w) = try runContract(Op.push(UInt64(1)) + Op.store(slot: 0) + [op])
        #expect(r.status == .halt(.invalidOpcode(op)))
        #expect(w.accounts[contract]?.storage[0] == nil)
    }
}

@Test func revertReturnsGasAndOutput() throws {
    // MSTORE8(0, 0x2a), REVERT(0, 1)
    let code = Op.push(UInt64(0x2A)) + [0x5F, 0x53] + Op.push(UInt64(1)) + [0x5F, 0xFD]
    let (r, _) = try runContract(code)
    #expect(r.status == .revert)
    #expect(r.output == [0x2A])
    #expect(r.gasUsed < 30000)
}

@Test func transientStorageIsPerTransaction() throws {
    // TSTORE(0, 5); TLOAD(0) -> slot 0; TLOAD(1) -> slot 1.
    let code = Op.push(UInt64(5)) + [0x5F, 0x5D, 0x5F, 0x5C] + Op.store(slot: 0) + Op.push(UInt64(1)) + [0x5C]
        + Op.store(slot: 1) + Op.stop
    let (r, w) = try runContract(code)
    #expect(r.status == .success)
    #expect(w.accounts[contract]?.storage[0] == UInt256(5))
    #expect(w.accounts[contract]?.storage[1] == nil)
}

@Test func mcopy() throws {
    // MSTORE(0, 0x1122), MCOPY(dst 32, src 0, 32), MLOAD(32) -> slot 0.
    let code = Op.push(UInt64(0x1122)) + [0x5F, 0x52] + Op.push(UInt64(32)) + [0x5F] + Op.push(UInt64(32))
        + [0x5E] + Op.push(UInt64(32)) + [0x51] + Op.store(slot: 0) + Op.stop
    let (_, w) = try runContract(code)
    #expect(w.accounts[contract]?.storage[0] == UInt256(0x1122))
}

@Test func logs() throws {
    // MSTORE8(0, 0xAA), LOG2(0, 1, topic 7, topic 8)
    let code = Op.push(UInt64(0xAA)) + [0x5F, 0x53] + Op.push(UInt64(8)) + Op.push(UInt64(7)) + Op.push(UInt64(1))
        + [0x5F, 0xA2, 0x00]
    let (r, _) = try runContract(code)
    #expect(r.logs == [Log(address: contract, topics: [Bytes32(word: UInt256(7)), Bytes32(word: UInt256(8))], data: [0xAA])])
    // 21000 + pushes (3+2+3+3+3+2) + MSTORE8 3 + mem 3 + LOG2 375*3 + 8.
    #expect(r.gasUsed == 21000 + 16 + 3 + 3 + 1125 + 8)
}
