// Hex text of the state-test fixtures, turned into bytes and words, with
// errors that quote the offending text.
//
// The filled tests write every quantity and byte string as "0x" hex. Quantities
// may have odd length and leading zeros ("0x0a", "0x1"); byte strings have even
// length ("0x" is empty). The fillers also write ":bigint 0x..." for a quantity
// that is deliberately wider than its field (a value over 2^256 in
// `ValueOverflowParis`), so a quantity parses to an arbitrary width and the
// caller decides whether it fits. Bad characters are an error naming the text,
// never a trap: fixture files are input.

import ParallaxEthereum

/// Text that is not the hex the fixture format calls for.
enum FixtureHexError: Error, Equatable, CustomStringConvertible {
    case invalidDigit(text: String)
    case oddLength(text: String)
    case wrongLength(text: String, expectedBytes: Int)

    var description: String {
        switch self {
        case let .invalidDigit(text): "not hex: \(quoted(text))"
        case let .oddLength(text): "odd number of hex digits in a byte string: \(quoted(text))"
        case let .wrongLength(text, expectedBytes): "expected \(expectedBytes) bytes of hex: \(quoted(text))"
        }
    }

    private func quoted(_ text: String) -> String {
        text.count > 80 ? "\"\(text.prefix(77))...\"" : "\"\(text)\""
    }
}

enum FixtureHex {
    /// A byte string: an even number of digits after an optional "0x".
    static func bytes(_ text: String) throws(FixtureHexError) -> [UInt8] {
        do {
            return try Hex.decode(text)
        } catch .oddDigitCount {
            throw .oddLength(text: text)
        } catch {
            throw .invalidDigit(text: text)
        }
    }

    /// Exactly `count` bytes from a quantity-like text: shorter hex is
    /// left-padded with zeros (the fillers may drop leading zeros of
    /// `currentRandom`), longer is an error.
    static func fixedBytes(_ text: String, count: Int) throws(FixtureHexError) -> [UInt8] {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard digits.utf8.count <= 2 * count else { throw .wrongLength(text: text, expectedBytes: count) }
        let padded = String(repeating: "0", count: 2 * count - digits.utf8.count) + digits
        return try bytes(padded)
    }

    static func address(_ text: String) throws(FixtureHexError) -> Address {
        guard let a = Address(bytes: try bytes(text)) else { throw .wrongLength(text: text, expectedBytes: 20) }
        return a
    }

    static func bytes32(_ text: String) throws(FixtureHexError) -> Bytes32 {
        guard let b = Bytes32(bytes: try fixedBytes(text, count: 32)) else {
            throw .wrongLength(text: text, expectedBytes: 32)
        }
        return b
    }

    /// A quantity of any width: nil when it is wider than 256 bits (the caller
    /// decides what an overflowing field means), an error when it is not hex.
    /// Accepts the fillers' ":bigint 0x..." spelling. (`UInt256(hex:)` cannot
    /// tell "too wide" from "not hex", which this must.)
    static func quantity(_ text: String) throws(FixtureHexError) -> UInt256? {
        var digits = Substring(text)
        if digits.hasPrefix("0x:bigint ") { digits = digits.dropFirst("0x:bigint ".count) }
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        var limbs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var significant = 0
        for c in digits.utf8 {
            guard let v = nibble(c) else { throw .invalidDigit(text: text) }
            if significant == 0 && v == 0 { continue }
            significant += 1
            if significant > 64 { return nil }
            // Shift the 256-bit accumulator left by one digit and add it.
            limbs.3 = limbs.3 << 4 | limbs.2 >> 60
            limbs.2 = limbs.2 << 4 | limbs.1 >> 60
            limbs.1 = limbs.1 << 4 | limbs.0 >> 60
            limbs.0 = limbs.0 << 4 | UInt64(v)
        }
        return UInt256(limbs.0, limbs.1, limbs.2, limbs.3)
    }

    @inline(__always)
    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}
