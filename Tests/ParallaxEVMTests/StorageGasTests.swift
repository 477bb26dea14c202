// SSTORE gas and refunds: the test cases of EIP-3529 (Berlin costs with
// London refunds; the table's gas assumes a warm slot, so the cold access
// (2100) is added here).

import ParallaxEVM
import ParallaxEthereum
import Testing

struct SStoreCase: Sendable, CustomStringConvertible {
    var code: String
    var gas: UInt64
    var refund: Int64
    var original: UInt64
    var description: String { "\(code) original \(original)" }
}

let eip3529Cases: [SStoreCase] = [
    SStoreCase(code: "0x60006000556000600055", gas: 212, refund: 0, original: 0),
    SStoreCase(code: "0x60006000556001600055", gas: 20112, refund: 0, original: 0),
    SStoreCase(code: "0x60016000556000600055", gas: 20112, refund: 19900, original: 0),
    SStoreCase(code: "0x60016000556002600055", gas: 20112, refund: 0, original: 0),
    SStoreCase(code: "0x60016000556001600055", gas: 20112, refund: 0, original: 0),
    SStoreCase(code: "0x60006000556000600055", gas: 3012, refund: 4800, original: 1),
    SStoreCase(code: "0x60006000556001600055", gas: 3012, refund: 2800, original: 1),
    SStoreCase(code: "0x60006000556002600055", gas: 3012, refund: 0, original: 1),
    SStoreCase(code: "0x60026000556000600055", gas: 3012, refund: 4800, original: 1),
    SStoreCase(code: "0x60026000556003600055", gas: 3012, refund: 0, original: 1),
    SStoreCase(code: "0x60026000556001600055", gas: 3012, refund: 2800, original: 1),
    SStoreCase(code: "0x60026000556002600055", gas: 3012, refund: 0, original: 1),
    SStoreCase(code: "0x60016000556000600055", gas: 3012, refund: 4800, original: 1),
    SStoreCase(code: "0x60016000556002600055", gas: 3012, refund: 0, original: 1),
    SStoreCase(code: "0x60016000556001600055", gas: 212, refund: 0, original: 1),
    SStoreCase(code: "0x600160005560006000556001600055", gas: 40118, refund: 19900, original: 0),
    SStoreCase(code: "0x600060005560016000556000600055", gas: 5918, refund: 7600, original: 1),
]

@Test(arguments: eip3529Cases)
func sstoreGasAndRefund(_ c: SStoreCase) throws {
    let storage: [UInt256: UInt256] = c.original == 0 ? [:] : [.zero: UInt256(c.original)]
    let (r, _) = try runContract(hexBytes(c.code), storage: storage)
    #expect(r.status == .success)
    #expect(r.gasUsed + r.gasRefunded == 21000 + 2100 + c.gas)
    #expect(r.refundCounter == c.refund)
    #expect(r.gasRefunded == min(UInt64(c.refund), (21000 + 2100 + c.gas) / 5))
}

@Test func sstoreNeedsMoreThanTheStipend() throws {
    // Gas left at the SSTORE is exactly 2300: out of gas (EIP-2200).
    let code: [UInt8] = [0x60, 0x01, 0x5F, 0x55, 0x00]
    let (r, _) = try runContract(code, gas: 21000 + 3 + 2 + 2300)
    #expect(r.status == .halt(.outOfGas))
}

@Test func accessListWarmsSlots() throws {
    var w = world(code: [0x5F, 0x54, 0x00])  // SLOAD(0)
    let tx = call(contract, accessList: [(contract, [.zero])])
    let r = try EVM(fork: .cancun).transact(tx, block: testBlock(), state: w)
    // 21000 + 2400 + 1900 intrinsic; PUSH0 2 + warm SLOAD 100.
    #expect(r.gasUsed == 21000 + 2400 + 1900 + 2 + 100)
    w.apply(r.changes, coinbase: coinbase)
}
