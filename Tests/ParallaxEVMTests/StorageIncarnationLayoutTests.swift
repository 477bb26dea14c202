// The storage incarnations of `EthereumStateLayout`: account values and
// tombstones round-trip, incarnation 0 keeps the original slot keys, other
// incarnations give other keys, and the live-state reader keeps only the live
// incarnation's slots and only accounts that exist.

import ParallaxEVM
import ParallaxEthereum
import ParallaxVMInterface
import Testing

private typealias Layout = EthereumStateLayout

@Test func accountValuesCarryTheirIncarnation() {
    let code = keccak256([0x60, 0x00])
    for (nonce, codeHash, incarnation) in [(UInt64(0), EmptyHashes.code, UInt64(0)), (7, EmptyHashes.code, 3), (1, code, 0),
                                           (9, code, .max)] {
        let value = Layout.accountValue(nonce: nonce, codeHash: codeHash, incarnation: incarnation)
        let entry = Layout.decodeAccountEntry(value)
        #expect(entry == Layout.AccountEntry(isLive: true, nonce: nonce, codeHash: codeHash, incarnation: incarnation))
        #expect(Layout.decodeAccount(value)?.nonce == nonce)
        #expect(Layout.decodeAccount(value)?.codeHash == codeHash)
    }
    // Incarnation 0 keeps the encodings of a layout without incarnations.
    #expect(Layout.accountValue(nonce: 5, codeHash: EmptyHashes.code).count == 8)
    #expect(Layout.accountValue(nonce: 5, codeHash: code).count == 40)
}

@Test func aTombstoneIsNoAccount() {
    let tombstone = Layout.tombstoneValue(incarnation: 4)
    #expect(Layout.decodeAccountEntry(tombstone) == Layout.AccountEntry(isLive: false, nonce: 0, codeHash: EmptyHashes.code, incarnation: 4))
    #expect(Layout.decodeAccount(tombstone) == nil)
    // Nine bytes not starting with the marker are no value of the layout.
    #expect(Layout.decodeAccountEntry(StateValue([UInt8](repeating: 1, count: 9))) == nil)
}

@Test func incarnationsGiveNewSlotKeys() {
    let address = Address(hi: 1, mid: 2, lo: 3)
    let slot = UInt256(42)
    var preimage = address.bytes
    preimage += slot.bigEndianBytes
    let original = keccak256(preimage)
    let zero = Layout.storageKey(address, slot, incarnation: 0)
    #expect(zero == Layout.storageKey(address, slot))
    #expect(zero.w1 == original.w1 && zero.w2 == original.w2 && zero.w3 == original.w3)
    let keys = Set((0..<5).map { Layout.storageKey(address, slot, incarnation: $0) })
    #expect(keys.count == 5)
    #expect(keys.allSatisfy { Layout.kind(of: $0) == .storage })
}

@Test func liveAccountsReadOnlyTheLiveIncarnation() {
    let destroyed = Address(hi: 0, mid: 0, lo: 0xD)
    let recreated = Address(hi: 0, mid: 0, lo: 0xE)
    let untouched = Address(hi: 0, mid: 0, lo: 0xF)
    let code = keccak256([0x00])
    var entries: [StateKey: StateValue] = [:]
    func put(_ address: Address, _ slot: UInt64, _ value: UInt64, incarnation: UInt64) {
        entries[Layout.storageKey(address, UInt256(slot), incarnation: incarnation)] =
            Layout.storageValue(address, UInt256(slot), UInt256(value))
    }
    // Deleted with its storage: a tombstone, the old slots left behind.
    entries[Layout.accountKey(destroyed)] = Layout.tombstoneValue(incarnation: 1)
    put(destroyed, 0, 5, incarnation: 0)
    // Deleted, then created again with new storage in incarnation 2.
    entries[Layout.accountKey(recreated)] = Layout.accountValue(nonce: 1, codeHash: code, incarnation: 2)
    put(recreated, 0, 5, incarnation: 0)
    put(recreated, 1, 6, incarnation: 1)
    put(recreated, 2, 7, incarnation: 2)
    // Never deleted.
    entries[Layout.accountKey(untouched)] = Layout.accountValue(nonce: 3, codeHash: code)
    entries[Layout.balanceKey(untouched)] = Layout.balanceValue(UInt256(100))
    put(untouched, 9, 1, incarnation: 0)

    var accounts = Layout.liveAccounts(in: entries)
    #expect(accounts[destroyed] == nil)
    #expect(accounts[recreated] == Layout.LiveAccount(nonce: 1, balance: .zero, codeHash: code, storage: [UInt256(2): UInt256(7)]))
    #expect(accounts[untouched] == Layout.LiveAccount(nonce: 3, balance: UInt256(100), codeHash: code, storage: [UInt256(9): UInt256(1)]))

    // A credit brings the tombstoned account back, empty, without its old slots.
    entries[Layout.balanceKey(destroyed)] = Layout.balanceValue(UInt256(1))
    accounts = Layout.liveAccounts(in: entries)
    #expect(accounts[destroyed] == Layout.LiveAccount(nonce: 0, balance: UInt256(1), codeHash: EmptyHashes.code, storage: [:]))
}
