import Foundation
import ParallaxEthereum
import Testing

/// ethereum/tests RLPTests: rlptest.json (encode the `in` value, expect `out`),
/// invalidRLPTest.json (`in` "INVALID": decoding `out` must fail) and
/// RandomRLPTests (`in` "VALID": decoding `out` must succeed and re-encode to it).
struct RLPFixtureTests {
    @Test func encodesEveryRLPTestVector() throws {
        let tests = try EthereumFixtures.json("RLPTests/rlptest.json")
        #expect(tests.count >= 28)
        for (name, body) in tests {
            let test = try #require(body as? [String: Any])
            let expected = EthereumFixtures.hexBytes(try #require(test["out"] as? String))
            let item = try rlpItem(test["in"] as Any)
            #expect(RLP.encode(item) == expected, "\(name)")
            let decoded = try RLP.decode(expected)
            #expect(decoded == item, "\(name)")
        }
    }

    @Test func rejectsEveryInvalidVector() throws {
        let tests = try EthereumFixtures.json("RLPTests/invalidRLPTest.json")
        #expect(tests.count >= 26)
        for (name, body) in tests {
            let test = try #require(body as? [String: Any])
            #expect(test["in"] as? String == "INVALID")
            let bytes = EthereumFixtures.hexBytes(try #require(test["out"] as? String))
            #expect(throws: RLPError.self, "\(name)") { try RLP.decode(bytes) }
        }
    }

    @Test func roundTripsValidVectors() throws {
        let tests = try EthereumFixtures.json("RLPTests/RandomRLPTests/example.json")
        for (name, body) in tests {
            let test = try #require(body as? [String: Any])
            let bytes = EthereumFixtures.hexBytes(try #require(test["out"] as? String))
            #expect(RLP.encode(try RLP.decode(bytes)) == bytes, "\(name)")
        }
    }

    /// The test's `in`: a string (its UTF-8), an integer, "#decimal" (a big
    /// integer), or a list of those.
    private func rlpItem(_ value: Any) throws -> RLPItem {
        if let list = value as? [Any] { return .list(try list.map(rlpItem)) }
        if let text = value as? String {
            if text.hasPrefix("#") { return .bytes(bigEndianDecimal(String(text.dropFirst()))) }
            return .bytes(Array(text.utf8))
        }
        if let number = value as? NSNumber {
            return .bytes(RLPTestsSupport.minimalBigEndian(number.uint64Value))
        }
        throw FixtureError.unexpected("RLP test input \(value)")
    }

    /// Minimal big-endian bytes of a decimal of any size.
    private func bigEndianDecimal(_ digits: String) -> [UInt8] {
        var bytes = [UInt8]()  // little-endian while building
        for digit in digits.utf8 {
            var carry = UInt(digit - UInt8(ascii: "0"))
            for index in bytes.indices {
                let product = UInt(bytes[index]) * 10 + carry
                bytes[index] = UInt8(product & 0xFF)
                carry = product >> 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return bytes.reversed()
    }
}

enum RLPTestsSupport {
    static func minimalBigEndian(_ value: UInt64) -> [UInt8] {
        var bytes = [UInt8]()
        var rest = value
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return bytes
    }
}

@Test func rlpIntegersAreMinimal() {
    #expect(RLP.encode(UInt64(0)) == [0x80])
    #expect(RLP.encode(UInt64(0x7F)) == [0x7F])
    #expect(RLP.encode(UInt64(0x80)) == [0x81, 0x80])
    #expect(RLP.encode(UInt64(0x0400)) == [0x82, 0x04, 0x00])
    #expect(RLP.encode(UInt64.max) == [0x88] + [UInt8](repeating: 0xFF, count: 8))
    #expect(RLP.encode(UInt256.zero) == [0x80])
    #expect(RLP.encode(UInt256(0x7F)) == [0x7F])
    #expect(RLP.encode(UInt256.max) == [0xA0] + [UInt8](repeating: 0xFF, count: 32))
    #expect(RLP.encode(UInt256(0, 1, 0, 0)) == [0x89, 0x01] + [UInt8](repeating: 0, count: 8))
    for shift in 0..<256 {
        let value = UInt256.one.shiftedLeft(shift)
        #expect(RLP.encode(value) == RLP.encode(bytes: value.minimalBigEndianBytes), "2^\(shift)")
    }
}

@Test func rlpErrorsNameTheirCause() {
    #expect(throws: RLPError.empty) { try RLP.decode([]) }
    #expect(throws: RLPError.singleByteNotSelfEncoded(offset: 0)) { try RLP.decode([0x81, 0x05]) }
    #expect(throws: RLPError.lengthHasLeadingZero(offset: 0)) { try RLP.decode([0xB8, 0x00]) }
    #expect(throws: RLPError.longFormForShortPayload(offset: 0, length: 2)) { try RLP.decode([0xB8, 0x02, 0x01, 0x02]) }
    #expect(throws: RLPError.truncated(offset: 0, needed: 4, available: 3)) { try RLP.decode([0x83, 0x01, 0x02]) }
    #expect(throws: RLPError.trailingBytes(offset: 1, count: 1)) { try RLP.decode([0x01, 0x02]) }
    // The string claims 3 bytes, its list only holds 2 after it.
    #expect(throws: RLPError.truncated(offset: 1, needed: 4, available: 3)) { try RLP.decode([0xC3, 0x83, 0x01, 0x02, 0x03]) }
    #expect(throws: RLPError.lengthOverflow(offset: 0)) { try RLP.decode([0xBF] + [UInt8](repeating: 0xFF, count: 8)) }
    // 300 nested empty lists: rejected at the depth limit, no stack overflow.
    var deep: RLPItem = .list([])
    for _ in 0..<300 { deep = .list([deep]) }
    let encoded = RLP.encode(deep)
    do {
        _ = try RLP.decode(encoded)
        Issue.record("300 nested lists decoded")
    } catch {
        guard case .tooDeep(_, let limit) = error else { Issue.record("\(error)"); return }
        #expect(limit == RLP.maximumDepth)
    }
}

@Test func rlpHelpersAgreeWithTreeEncoding() {
    let items: [RLPItem] = [.bytes([1, 2, 3]), .bytes([0x7F]), .bytes([]), .list([.bytes(Array(repeating: 9, count: 60))])]
    #expect(RLP.encode(list: items.map(RLP.encode)) == RLP.encode(.list(items)))
    #expect(RLP.encode(bytes: [0x42]) == [0x42])
    #expect(RLP.encode(bytes: [0x80]) == [0x81, 0x80])
    let long = [UInt8](repeating: 7, count: 1024)
    #expect(RLP.encode(bytes: long) == [0xB9, 0x04, 0x00] + long)
}
