import ParallaxEVM
import ParallaxEthereum
import Testing

func validity(_ tx: TransactionEnvironment, balance: UInt64 = 1_000_000_000_000, senderCode: [UInt8] = []) -> InvalidTransaction? {
    var w = TestWorld()
    w.accounts[sender] = TestAccount(nonce: 0, balance: UInt256(balance), code: senderCode)
    do {
        _ = try EVM(fork: .cancun).transact(tx, block: testBlock(), state: w)
        return nil
    } catch let e as InvalidTransaction {
        return e
    } catch {
        return nil
    }
}

@Test func invalidTransactions() {
    var tx = call(contract)
    #expect(validity(tx) == nil)
    tx.nonce = 1
    #expect(validity(tx) == .nonceTooHigh(expected: 0, got: 1))
    tx = call(contract, gas: 20999)
    #expect(validity(tx) == .intrinsicGasTooLow(gasLimit: 20999, intrinsic: 21000))
    tx = call(contract, gas: 30_000_001)
    #expect(validity(tx) == .gasLimitExceedsBlock(gasLimit: 30_000_001, blockGasLimit: 30_000_000))
    tx = call(contract)
    tx.maxFeePerGas = UInt256(6)
    tx.maxPriorityFeePerGas = .one
    #expect(validity(tx) == .feeCapBelowBaseFee(maxFeePerGas: UInt256(6), baseFee: UInt256(7)))
    tx = call(contract)
    tx.maxPriorityFeePerGas = UInt256(11)
    #expect(validity(tx) == .priorityFeeAboveFeeCap(maxPriorityFeePerGas: UInt256(11), maxFeePerGas: UInt256(10)))
    tx = call(contract)
    #expect(validity(tx, balance: 9_999_999) == .insufficientFunds(balance: UInt256(9_999_999), required: UInt256(10_000_000)))
    #expect(validity(call(contract), senderCode: [0x00]) == .senderHasCode)
    tx = call(contract)
    tx.type = 3
    tx.maxFeePerBlobGas = .one
    #expect(validity(tx) == .noBlobs)
    tx.blobVersionedHashes = [Bytes32(word: UInt256(1))]
    #expect(validity(tx) == .invalidBlobVersion(index: 0))
}

@Test func intrinsicGas() {
    var tx = call(contract, data: [0, 1, 0, 2])
    #expect(EVM(fork: .cancun).intrinsicGas(tx) == 21000 + 4 + 16 + 4 + 16)
    tx.to = nil
    tx.data = [UInt8](repeating: 1, count: 33)
    #expect(EVM(fork: .cancun).intrinsicGas(tx) == 21000 + 32000 + 33 * 16 + 2 * 2)
}

@Test func feesAndBalances() throws {
    var w = world(code: [0x00])
    let r = try EVM(fork: .cancun).transact(call(contract, value: UInt256(5)), block: testBlock(), state: w)
    w.apply(r.changes, coinbase: coinbase)
    // effective price min(10, 7 + 2) = 9; 21000 gas.
    #expect(w.accounts[sender]?.balance == UInt256(UInt64(1_000_000_000_000 - 21000 * 9 - 5)))
    #expect(w.accounts[contract]?.balance == UInt256(5))
    #expect(w.accounts[coinbase]?.balance == UInt256(UInt64(21000 * 2)))
    #expect(w.accounts[sender]?.nonce == 1)
}
