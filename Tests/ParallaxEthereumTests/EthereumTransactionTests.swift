import ParallaxEthereum
import Testing

/// `txbytes` and `secretKey` of ethereum/tests GeneralStateTests vectors
/// (Cancun, commit 4c87ebbf02; file named per case). The recovered sender
/// must be the address of the secret key, and re-encoding must give the
/// same bytes.
struct StateTestTransaction: Sendable, CustomStringConvertible {
    let source: String
    let kind: EthereumTransaction.Kind
    let txbytes: String
    let secretKey: String
    let sender: String
    var description: String { source }
}

private let commonKey = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
private let commonSender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"

let stateTestTransactions: [StateTestTransaction] = [
    .init(source: "stExample/invalidTr.json (legacy, v 27)", kind: .legacy,
          txbytes: "0xf862800a8203e894095e7baea6a6c7c4c2dfeb977efac326af552d87830186a0801ba0bb6249049eb38732aa28ef23385945e51c9582c7fab78bd33f6086bd4181615da035118c5432cd6a3bdd6f989d4eee3d43d11736e640bc249d9a2c37e01db3d4b5",
          secretKey: commonKey, sender: commonSender),
    .init(source: "stPreCompiledContracts/identity_to_bigger.json (legacy, v 28, other key)", kind: .legacy,
          txbytes: "0xf860010a83030d4094c305c901078781c232a2a521c2af7980f8385ee980801ca0602b800f0949f6e02c640db7952151b77666d04650acacc85bac5b60e26bd8d0a008126c5779b4f10e04f9a76fefdf77fbb279e6efe9019747ee85979bd103c2ca",
          secretKey: "0x044852b2a670ade5407e78fb2863c51de9fcb96542a07186fe3aeda6bb8a116d",
          sender: "0x82a978b3f5962a5b0957d9ee9eef472ee55b42f1"),
    .init(source: "Pyspecs/cancun/eip1153_tstore/gas_usage.json (legacy, EIP-155 v 37)", kind: .legacy,
          txbytes: "0xf860800a830f4240940000000000000000000000000000000000000100808025a06ed8419ab28c42e73d2f147ebdddfd5de4fb1eb6b4f332d0c5fab55da6ee7eaaa05930cef304a571952dbcc5d64ddb799bba262cfe26fcdded394288f1999164ce",
          secretKey: commonKey, sender: commonSender),
    .init(source: "stExample/accessListExample.json (EIP-2930)", kind: .accessList,
          txbytes: "0x01f8f901800a83061a8094095e7baea6a6c7c4c2dfeb977efac326af552d87830186a000f893f85994095e7baea6a6c7c4c2dfeb977efac326af552d87f842a00000000000000000000000000000000000000000000000000000000000000000a00000000000000000000000000000000000000000000000000000000000000001f794195e7baea6a6c7c4c2dfeb977efac326af552d87e1a0000000000000000000000000000000000000000000000000000000000000000080a011c97e0bb8a356fe4f49b37863d059c6fe8cd3214a6ac06a8387a2f6f0b75f60a0212368a1097da30806edfd13d9c35662e1baee939235eb25de867980bd0eda26",
          secretKey: commonKey, sender: commonSender),
    .init(source: "stExample/eip1559.json (EIP-1559)", kind: .dynamicFee,
          txbytes: "0x02f8c101010a8207d0833d090094cccccccccccccccccccccccccccccccccccccccc8000f85bf85994ccccccccccccccccccccccccccccccccccccccccf842a00000000000000000000000000000000000000000000000000000000000000000a0000000000000000000000000000000000000000000000000000000000000000180a0d671815898b8dd34321adbba4cb6a57baa7017323c26946f3719b00e70c755c2a03528b9efe3be57ea65a933d1e6bbf3b7d0c78830138883c1201e0c641fee6464",
          secretKey: commonKey, sender: commonSender),
    .init(source: "Cancun/stEIP1153-transientStorage/10_revertUndoesStoreAfterReturn.json (EIP-1559, yParity 1)", kind: .dynamicFee,
          txbytes: "0x02f8690180808207d083061a8094a00000000000000000000000000000000000000a808470ac643ec001a0d291a8b33b4d2414a921a32715b55846147d0a6ffe6c5992a115e0fa60ab4d57a02f5701d3d33d024aa80b46ed86dba7bfbd825b2172f4c5c6aeeadb1c28685d57",
          secretKey: commonKey, sender: commonSender),
    .init(source: "Cancun/stEIP4844-blobtransactions/blobhashListBounds4.json (EIP-4844, 4 blobs)", kind: .blob,
          txbytes: "0x03f9014e01800285012a05f200833d090094095e7baea6a6c7c4c2dfeb977efac326af552d87830186a000f85bf85994095e7baea6a6c7c4c2dfeb977efac326af552d87f842a00000000000000000000000000000000000000000000000000000000000000000a000000000000000000000000000000000000000000000000000000000000000010af884a001a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065f0001a001a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065f0002a001a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065f0003a001a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065f000401a04050f623a6a761402057018dbe8f7e9581bd8eed6362e7271e81b2861ca4cbdaa0671bf16648962e2435bf04e0e6c4eb9c0bc9971b251771f25d75e32a21fb3a7b",
          secretKey: commonKey, sender: commonSender),
    .init(source: "Pyspecs/cancun/eip4844_blobs/blob_tx_attribute_calldata_opcodes.json (EIP-4844)", kind: .blob,
          txbytes: "0x03f886018080078307a1209400000000000000000000000000000000000001000180c001e1a0010000000000000000000000000000000000000000000000000000000000000001a08633745d9ccae895b1cd9b35473bf2c2f19230b32ebecf93fcf6e98e08868a7fa02df5e81e127ad763e99e70e134ea214d74d47e80787950b1959551c7b61f68ea",
          secretKey: commonKey, sender: commonSender),
]

@Test(arguments: stateTestTransactions)
func decodesAndRecoversTheSecretKeysAddress(_ vector: StateTestTransaction) throws {
    let bytes = try Hex.decode(vector.txbytes)
    let transaction = try EthereumTransaction(decoding: bytes)
    #expect(transaction.kind == vector.kind)
    #expect(transaction.encoded == bytes)
    let secretKey = try #require(Bytes32(hex: vector.secretKey))
    let keyAddress = try #require(Address(privateKey: secretKey))
    #expect(keyAddress.description == vector.sender)
    #expect(try transaction.recoverSender() == keyAddress)
}

@Test func decodedFieldsOfTheBlobVector() throws {
    let transaction = try EthereumTransaction(decoding: try Hex.decode(stateTestTransactions[6].txbytes))
    #expect(transaction.chainID == 1)
    #expect(transaction.nonce == 0)
    #expect(transaction.maxPriorityFeePerGas == UInt256(2))
    #expect(transaction.maxFeePerGas == UInt256(0x12A05F200))
    #expect(transaction.gasLimit == 0x3D0900)
    #expect(transaction.to == Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87"))
    #expect(transaction.value == UInt256(0x186A0))
    #expect(transaction.accessList.count == 1)
    #expect(transaction.accessList[0].storageKeys.count == 2)
    #expect(transaction.maxFeePerBlobGas == UInt256(10))
    #expect(transaction.blobVersionedHashes.count == 4)
    #expect(transaction.signature.yParity == 1)
}

/// EIP-155's worked example: signing hash, encoding, sender.
@Test func eip155Example() throws {
    let transaction = try EthereumTransaction(decoding: try Hex.decode(
        "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"))
    #expect(transaction.chainID == 1)
    #expect(transaction.v == UInt256(37))
    #expect(transaction.signingHash.description == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
    let key = try #require(Bytes32(bytes: [UInt8](repeating: 0x46, count: 32)))
    #expect(try transaction.recoverSender() == Address(privateKey: key))
    #expect(Address(privateKey: key)?.description == "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f")
}

@Test func rejectsMalformedTransactions() throws {
    // stTransactionTest/ValueOverflowParis.json: value of 33 bytes (RLP_INVALID_VALUE).
    let overflow = try Hex.decode("0xf880806482520894d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0a1010000000000000000000000000000000000000000000000000000000000000001801ba0c16787a8e25e941d67691954642876c08f00996163ae7dfadbbfd6cd436f549da06180e5626cae31590f40641fe8f63734316c4bfeb4cdfab6714198c1044d2e28")
    #expect(throws: TransactionDecodingError.integerTooLarge(field: "value", bytes: 33, maximum: 32)) {
        try EthereumTransaction(decoding: overflow)
    }
    #expect(throws: TransactionDecodingError.empty) { try EthereumTransaction(decoding: []) }
    #expect(throws: TransactionDecodingError.unsupportedType(0x04)) { try EthereumTransaction(decoding: [0x04, 0xC0]) }
    #expect(throws: TransactionDecodingError.notAList) { try EthereumTransaction(decoding: [0x83, 1, 2, 3]) }
    #expect(throws: TransactionDecodingError.fieldCount(kind: .dynamicFee, expected: 12, actual: 0)) {
        try EthereumTransaction(decoding: [0x02, 0xC0])
    }
    #expect(throws: TransactionDecodingError.rlp(.trailingBytes(offset: 1, count: 1))) {
        try EthereumTransaction(decoding: [0x02, 0xC0, 0x00])
    }

    let base = try EthereumTransaction(decoding: try Hex.decode(stateTestTransactions[2].txbytes))
    // A nonce with a leading zero byte.
    var fields = try #require(try RLP.decode(base.encoded).listValue)
    fields[0] = .bytes([0x00, 0x01])
    #expect(throws: TransactionDecodingError.integerLeadingZero(field: "nonce")) {
        try EthereumTransaction(decoding: RLP.encode(.list(fields)))
    }
    // A 19-byte recipient.
    fields = try #require(try RLP.decode(base.encoded).listValue)
    fields[3] = .bytes([UInt8](repeating: 1, count: 19))
    #expect(throws: TransactionDecodingError.addressLength(field: "to", length: 19)) {
        try EthereumTransaction(decoding: RLP.encode(.list(fields)))
    }
    // Legacy v outside 27, 28, 35...
    for v: UInt64 in [0, 1, 26, 29, 34] {
        fields = try #require(try RLP.decode(base.encoded).listValue)
        fields[6] = .bytes(v == 0 ? [] : [UInt8(v)])
        #expect(throws: TransactionDecodingError.invalidLegacyV(UInt256(v))) {
            try EthereumTransaction(decoding: RLP.encode(.list(fields)))
        }
    }
    // A blob transaction cannot create.
    var blob = try EthereumTransaction(decoding: try Hex.decode(stateTestTransactions[7].txbytes))
    blob.to = nil
    #expect(throws: TransactionDecodingError.blobTransactionWithoutRecipient) {
        try EthereumTransaction(decoding: blob.encoded)
    }
    // yParity 2 on a typed transaction.
    var typed = try #require(try RLP.decode(Array(try Hex.decode(stateTestTransactions[4].txbytes).dropFirst())).listValue)
    typed[9] = .bytes([2])
    #expect(throws: TransactionDecodingError.invalidYParity(UInt256(2))) {
        try EthereumTransaction(decoding: [0x02] + RLP.encode(.list(typed)))
    }
}

@Test func signatureBoundsAreEnforced() throws {
    let original = try EthereumTransaction(decoding: try Hex.decode(stateTestTransactions[4].txbytes))
    let order = try #require(UInt256(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"))
    let sender = try original.recoverSender()

    // The same signature with s' = n - s and the other parity recovers the
    // same key, but EIP-2 forbids the high s.
    var malleable = original
    malleable.signature.s = order &- original.signature.s
    malleable.signature.yParity ^= 1
    #expect(throws: SenderRecoveryError.highS) { try malleable.recoverSender() }
    #expect(try malleable.recoverSender(allowHighS: true) == sender)

    var bad = original
    bad.signature.r = .zero
    #expect(throws: SenderRecoveryError.rOutOfRange) { try bad.recoverSender() }
    bad.signature.r = order
    #expect(throws: SenderRecoveryError.rOutOfRange) { try bad.recoverSender() }
    bad = original
    bad.signature.s = .zero
    #expect(throws: SenderRecoveryError.sOutOfRange) { try bad.recoverSender() }
    bad = original
    bad.signature.yParity = 2
    #expect(throws: SenderRecoveryError.invalidRecoveryID(2)) { try bad.recoverSender() }
    // Changing a signed field changes the signing hash, so another key recovers.
    var altered = original
    altered.nonce += 1
    #expect(try altered.recoverSender() != sender)

    #expect(Address(privateKey: .zero) == nil)
    #expect(Address(privateKey: Bytes32(word: order)) == nil)
}
