import ParallaxEthereum
import Testing

/// Pre-states of ethereum/tests GeneralStateTests (Cancun, commit 4c87ebbf02)
/// whose transaction is invalid, so that the post `hash` is the pre-state root.
@Test func preStateRootsOfInvalidTransactionVectors() throws {
    let eth = UInt256(0x0de0_b6b3_a764_0000)
    // stExample/invalidTr.json (INTRINSIC_GAS_TOO_LOW).
    let invalidTr: [Address: WorldStateRoot.Account] = [
        try #require(Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87")):
            .init(nonce: 0, balance: eth, code: try Hex.decode("0x600160010160005500")),
        try #require(Address(hex: "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba")): .init(nonce: 1, balance: .zero),
        try #require(Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")): .init(nonce: 0, balance: eth),
    ]
    #expect(WorldStateRoot.compute(accounts: invalidTr).description
        == "0x4c9c6cf002e6a88a5444662ca9ceb6a116b7b69ced38c470bf6e4a12a6313967")

    // stEIP1559/lowGasLimit.json: one storage slot.
    let lowGasLimit: [Address: WorldStateRoot.Account] = [
        try #require(Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")): .init(nonce: 1, balance: eth),
        try #require(Address(hex: "0xcccccccccccccccccccccccccccccccccccccccc")):
            .init(nonce: 0, balance: eth, code: try Hex.decode("0x600260005500"), storage: [.zero: UInt256(0x60A7)]),
    ]
    #expect(WorldStateRoot.compute(accounts: lowGasLimit).description
        == "0xb2b8d1860969ed21cd1eee5c69206176b951fbf820ee6b7f8ad84e8234094a5e")

    // stSpecialTest/eoaEmptyParis.json, post[2] (INSUFFICIENT_ACCOUNT_FUNDS);
    // the tuple overload, and a zero-valued slot that must count as absent.
    let code = try Hex.decode(
        "0x32806000558031603155803b603b55803f603f55600181013f61013f5561bad13f61bad15561bad23f61bad25561bad33f61bad35561bad43f61bad45561bad53f61bad55560008080805a94600435905af1505a900360f1555a60008080808061dead5af1505a900360ff5500")
    let eoaEmpty: [Address: (nonce: UInt64, balance: UInt256, code: [UInt8], storage: [UInt256: UInt256])] = [
        try #require(Address(hex: "0x000000000000000000000000000000000000bad1")): (0, UInt256(1), [], [:]),
        try #require(Address(hex: "0x000000000000000000000000000000000000bad2")): (1, .zero, [], [:]),
        try #require(Address(hex: "0x000000000000000000000000000000000000bad3")): (1, UInt256(1), [], [:]),
        try #require(Address(hex: "0x000000000000000000000000000000000000bad4")):
            (0, UInt256(10), [], [UInt256(0xDEAD): UInt256(0xBEEF), UInt256(7): .zero]),
        try #require(Address(hex: "0x000000000000000000000000000000000000c0de")): (1, .zero, code, [:]),
        try #require(Address(hex: "0x000000000000000000000000000000000000dead")): (1, UInt256(0x2710), [0x32, 0xFF], [:]),
        try #require(Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")): (0, UInt256(0x3B9A_CA00), [], [:]),
    ]
    #expect(WorldStateRoot.compute(accounts: eoaEmpty).description
        == "0xc601c9ea84c29e00a812de5a2d544aa64473d4a1d2bc4821ea5bd3f16ee3ad98")
}

@Test func emptyStateAndStorage() {
    #expect(WorldStateRoot.compute(accounts: [Address: WorldStateRoot.Account]()) == EmptyHashes.trieRoot)
    #expect(WorldStateRoot.storageRoot([UInt256(1): .zero]) == EmptyHashes.trieRoot)
}

@Test func accountRLP() {
    // rlp([1, 2, emptyTrieRoot, emptyCode]) as hex_encoded_securetrie_test's
    // values spell such accounts: f8440102a0 56e8...b421 a0 c5d2...a470.
    let account = AccountState(nonce: 1, balance: UInt256(2))
    #expect(Hex.encode(account.rlp) == "0xf8440102a0" + "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
        + "a0" + "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
}

@Test func logsHashes() throws {
    #expect(logsHash([]).description == "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
    // Computed with pyrlp + eth-hash: keccak(rlp.encode([[addr, [topics], data], ...])).
    var one = Bytes32.zero
    one.w3 = 1
    let logs = [
        Log(address: try #require(Address(hex: "0x00000000000000000000000000000000000000aa")),
            topics: [one, try #require(Bytes32(bytes: [UInt8](repeating: 0xFF, count: 32)))], data: []),
        Log(address: try #require(Address(hex: "0x0102030405060708090a0b0c0d0e0f1011121314")),
            topics: [], data: (0..<100).map { UInt8($0) }),
    ]
    #expect(logsHash(logs).description == "0xb9f925ae44befa597d7323e3a48483882a6f3927a64ac0b12783083acb6997cb")
    #expect(try RLP.decode(logs[0].rlp) == .list([
        .bytes(logs[0].address.bytes), .list(logs[0].topics.map { .bytes($0.bytes) }), .bytes([]),
    ]))
}
