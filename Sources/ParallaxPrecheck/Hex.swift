/// Hexadecimal text for bytes, as the harness and tests read and print it.
///
/// Decoding accepts upper and lower case and rejects anything else (no `0x`
/// prefix, no whitespace, no odd digit count), reporting the first offending
/// character's offset so a caller can point at it.
public enum Hex {
    /// Why text is not hexadecimal bytes.
    public enum DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The text has an odd number of digits.
        case oddLength(Int)
        /// The character at this offset (in characters) is not a hex digit.
        case invalidCharacter(Character, offset: Int)

        public var description: String {
            switch self {
            case .oddLength(let count): "odd number of hex digits (\(count))"
            case .invalidCharacter(let character, let offset):
                "invalid hex character \(String(reflecting: character)) at offset \(offset)"
            }
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The bytes spelled by `text`.
    public static func decode(_ text: some StringProtocol) throws(DecodingError) -> [UInt8] {
        var bytes: [UInt8] = []
        try decode(text, into: &bytes)
        return bytes
    }

    /// Appends the bytes spelled by `text` to `bytes` (left unchanged on error).
    public static func decode(_ text: some StringProtocol, into bytes: inout [UInt8]) throws(DecodingError) {
        let start = bytes.count
        var high: UInt8? = nil
        var offset = 0
        for unit in text.utf8 {
            guard let nibble = nibble(unit) else {
                bytes.removeSubrange(start...)
                throw .invalidCharacter(character(at: offset, in: text), offset: offset)
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
            offset += 1
        }
        if high != nil {
            bytes.removeSubrange(start...)
            throw .oddLength(offset)
        }
    }

    private static func nibble(_ unit: UInt8) -> UInt8? {
        switch unit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): unit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): unit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): unit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The character containing UTF-8 unit `unitOffset`, for error messages
    /// (every unit before it was an ASCII digit, so offsets coincide).
    private static func character(at unitOffset: Int, in text: some StringProtocol) -> Character {
        let index = text.utf8.index(text.utf8.startIndex, offsetBy: unitOffset)
        return text[index...].first ?? "?"
    }
}
