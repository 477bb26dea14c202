import ParallaxPrecheck
import Testing

@Suite struct BatchHasherTests {
    @Test func digestIsThirtyTwoBytesInOrder() {
        #expect(MemoryLayout<Digest32>.size == 32 && MemoryLayout<Digest32>.stride == 32)
        let bytes = (0..<32).map { UInt8($0 * 7 + 1) }
        let digest = Digest32(bytes: bytes)!
        #expect(digest.bytes == bytes)
        #expect(Digest32(hex: digest.hex) == digest)
        #expect(Digest32(bytes: bytes.dropLast()) == nil)
        #expect(Digest32(hex: "00") == nil)
    }

    @Test func packedMessagesAndUnsafeBuffersGiveTheSameDigests() {
        var rng = SeededGenerator.fromEnvironment()
        let messages = (0..<50).map { _ in rng.bytes(Int(rng.next() % 200)) }
        var packed = PackedMessages()
        for message in messages { packed.append(message) }
        packed._checkInvariants()
        #expect(packed.count == 50)
        #expect(Array(packed[17]) == messages[17], "seed \(rng.seed)")

        var hasher = BatchHasher(.keccak256)
        var fromPacked: [Digest32] = [.zero]  // wrong size on purpose: hash resizes it
        hasher.hash(packed, into: &fromPacked)
        #expect(fromPacked.count == 50)

        let expected = messages.map { BatchHasher.digest(.keccak256, of: $0) }
        #expect(fromPacked == expected, "seed \(rng.seed)")

        var fromBuffers = [Digest32](repeating: .zero, count: 50)
        // Messages at scattered addresses in one allocation.
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: messages.reduce(1) { $0 + $1.count + 3 }, alignment: 1)
        defer { storage.deallocate() }
        var offset = 0
        var buffers: [UnsafeRawBufferPointer] = []
        for message in messages {
            offset += 3
            let slot = UnsafeMutableRawBufferPointer(rebasing: storage[offset..<(offset + message.count)])
            slot.copyBytes(from: message)
            buffers.append(UnsafeRawBufferPointer(slot))
            offset += message.count
        }
        buffers.withUnsafeBufferPointer { messagesBuffer in
            fromBuffers.withUnsafeMutableBufferPointer { hasher.hash(messagesBuffer, into: $0) }
        }
        #expect(fromBuffers == expected, "seed \(rng.seed)")

        packed.removeAll()
        packed._checkInvariants()
        hasher.hash(packed, into: &fromPacked)
        #expect(fromPacked.isEmpty)
    }

    @Test func appendWritingRollsBackOnError() throws {
        var packed = PackedMessages()
        try packed.append { bytes throws(Hex.DecodingError) in try Hex.decode("0102", into: &bytes) }
        #expect(throws: Hex.DecodingError.invalidCharacter("x", offset: 2)) {
            try packed.append { bytes throws(Hex.DecodingError) in try Hex.decode("03x4", into: &bytes) }
        }
        packed._checkInvariants()
        #expect(packed.count == 1 && packed.bytes == [1, 2])
    }

    @Test func hexRejectsWhatIsNotHex() throws {
        #expect(try Hex.decode("00fFa9") == [0x00, 0xFF, 0xA9])
        #expect(try Hex.decode("") == [])
        #expect(throws: Hex.DecodingError.oddLength(3)) { try Hex.decode("abc") }
        #expect(throws: Hex.DecodingError.invalidCharacter("g", offset: 1)) { try Hex.decode("0g") }
        #expect(throws: Hex.DecodingError.invalidCharacter(" ", offset: 2)) { try Hex.decode("00 11") }
        #expect(throws: Hex.DecodingError.invalidCharacter("é", offset: 2)) { try Hex.decode("00é1") }
        #expect(Hex.encode([0xDE, 0xAD, 0x01]) == "dead01")
    }
}
