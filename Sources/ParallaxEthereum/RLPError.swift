/// Why bytes are not one canonical RLP item (Yellow Paper, appendix B).
///
/// Every offset is a byte offset into the decoded input, pointing at the
/// header byte of the offending item unless the case says otherwise.
public enum RLPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input holds no bytes at all.
    case empty
    /// The item at `offset` needs `needed` bytes (header and payload) but only
    /// `available` remain in the input or in the list that encloses it.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A one-byte string below 0x80 wrapped in a 0x81 header: that byte
    /// must encode itself.
    case singleByteNotSelfEncoded(offset: Int)
    /// The big-endian length of a long-form header starts with a zero byte.
    case lengthHasLeadingZero(offset: Int)
    /// A long-form header (0xb8...0xbf, 0xf8...0xff) for a payload of
    /// `length` < 56 bytes, which has a short form.
    case longFormForShortPayload(offset: Int, length: Int)
    /// A long-form length that does not fit in a machine integer.
    case lengthOverflow(offset: Int)
    /// The first item ends at `offset`, leaving `count` bytes unread.
    case trailingBytes(offset: Int, count: Int)
    /// Lists nest deeper than `limit` at `offset`.
    case tooDeep(offset: Int, limit: Int)

    public var description: String {
        switch self {
        case .empty:
            "RLP: empty input"
        case .truncated(let offset, let needed, let available):
            "RLP: item at offset \(offset) needs \(needed) bytes, only \(available) remain in its enclosing input or list"
        case .singleByteNotSelfEncoded(let offset):
            "RLP: single byte below 0x80 at offset \(offset) wrapped in a string header (must encode itself)"
        case .lengthHasLeadingZero(let offset):
            "RLP: long-form length at offset \(offset) has a leading zero byte"
        case .longFormForShortPayload(let offset, let length):
            "RLP: long-form header at offset \(offset) for a \(length)-byte payload (short form required below 56)"
        case .lengthOverflow(let offset):
            "RLP: long-form length at offset \(offset) overflows"
        case .trailingBytes(let offset, let count):
            "RLP: \(count) bytes after the item, from offset \(offset)"
        case .tooDeep(let offset, let limit):
            "RLP: lists nested deeper than \(limit) at offset \(offset)"
        }
    }
}
