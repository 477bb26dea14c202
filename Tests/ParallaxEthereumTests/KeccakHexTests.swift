import ParallaxEthereum
import Testing

@Test func keccakOfKnownMessages() {
    #expect(keccak256([UInt8]()).description == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    #expect(keccak256(Array("abc".utf8)).description == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    // Crosses the 136-byte rate: two absorb blocks.
    let long = [UInt8](repeating: 0x61, count: 200)
    #expect(keccak256(long) == long.withUnsafeBytes { keccak256($0) })
    // A non-contiguous collection takes the copying path and agrees.
    #expect(keccak256(long.lazy.map { $0 }) == keccak256(long))
}

@Test func emptyHashes() {
    #expect(EmptyHashes.code.description == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    #expect(EmptyHashes.trieRoot.description == "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
    #expect(EmptyHashes.emptyListHash.description == "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
}

@Test func hexRoundTripsAndRejects() throws {
    #expect(try Hex.decode("0x00ff10") == [0x00, 0xFF, 0x10])
    #expect(try Hex.decode("00FF10") == [0x00, 0xFF, 0x10])
    #expect(try Hex.decode("0x") == [])
    #expect(try Hex.decode("") == [])
    #expect(Hex.encode([0xAB, 0x01]) == "0xab01")
    #expect(Hex.encode([0xAB, 0x01], prefix: false) == "ab01")
    #expect(throws: HexError.oddDigitCount(3)) { try Hex.decode("0xabc") }
    #expect(throws: HexError.invalidCharacter(offset: 3)) { try Hex.decode("0x0g") }
}

@Test func bytes32AndAddressLayout() throws {
    let bytes = (0..<32).map { UInt8($0) }
    let value = try #require(Bytes32(bytes: bytes))
    #expect(value.bytes == bytes)
    #expect(Bytes32(hex: value.description) == value)
    #expect(Bytes32(bytes: bytes.dropLast()) == nil)
    #expect(Bytes32(word: value.word) == value)
    #expect(value.word.bigEndianBytes == bytes)
    #expect(Bytes32.zero < value)

    let addressBytes = (1...20).map { UInt8($0) }
    let address = try #require(Address(bytes: addressBytes))
    #expect(address.bytes == addressBytes)
    #expect(address.description == "0x0102030405060708090a0b0c0d0e0f1011121314")
    #expect(Address(hex: "0102030405060708090a0b0c0d0e0f1011121314") == address)
    #expect(Address(hex: "0x01") == nil)
    #expect(address.word.bigEndianBytes == [UInt8](repeating: 0, count: 12) + addressBytes)
    // init(word:) keeps the low 160 bits.
    #expect(Address(word: UInt256(bigEndianBytes: [UInt8](repeating: 0xEE, count: 12) + addressBytes)!) == address)
    // Byte order is the derived order.
    let smaller = try #require(Address(bytes: [0x01] + [UInt8](repeating: 0xFF, count: 19)))
    let larger = try #require(Address(bytes: [0x02] + [UInt8](repeating: 0x00, count: 19)))
    #expect(smaller < larger)
}
