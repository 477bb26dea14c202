/// Hexadecimal text <-> bytes, as Ethereum's JSON (test fixtures, JSON-RPC)
/// writes them: an optional "0x" prefix, two digits a byte, either case on
/// input; lowercase with "0x" on output.
public enum Hex {
    /// The bytes `text` spells. Rejects an odd digit count and any non-hex
    /// character, naming its offset in `text`'s UTF-8.
    public static func decode(_ text: String) throws(HexError) -> [UInt8] {
        var text = text
        // withUTF8 rethrows untyped errors; carry the typed one out in a Result.
        let result = text.withUTF8 { utf8 in
            Result { () throws(HexError) -> [UInt8] in try decode(utf8: UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }

    /// Like `decode(_:)` on UTF-8 text already in memory.
    public static func decode(utf8: UnsafeRawBufferPointer) throws(HexError) -> [UInt8] {
        var start = 0
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] | 0x20 == UInt8(ascii: "x") { start = 2 }
        let digits = utf8.count - start
        guard digits & 1 == 0 else { throw .oddDigitCount(digits) }
        var result = [UInt8]()
        result.reserveCapacity(digits / 2)
        var offset = start
        while offset < utf8.count {
            guard let high = nibble(utf8[offset]) else { throw .invalidCharacter(offset: offset) }
            guard let low = nibble(utf8[offset + 1]) else { throw .invalidCharacter(offset: offset + 1) }
            result.append(high << 4 | low)
            offset += 2
        }
        return result
    }

    /// "0x" (when `prefix`) followed by two lowercase digits a byte.
    public static func encode(_ bytes: some Sequence<UInt8>, prefix: Bool = true) -> String {
        var utf8 = [UInt8]()
        utf8.reserveCapacity(bytes.underestimatedCount * 2 + 2)
        if prefix { utf8.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: "x")]) }
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always)
    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

public enum HexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The digits after any "0x" are odd in number.
    case oddDigitCount(Int)
    /// Not a hex digit, at this offset in the text's UTF-8.
    case invalidCharacter(offset: Int)

    public var description: String {
        switch self {
        case .oddDigitCount(let count): "hex: \(count) digits, an odd number"
        case .invalidCharacter(let offset): "hex: not a hex digit at offset \(offset)"
        }
    }
}
