/// Recursive Length Prefix, Ethereum's serialization (Yellow Paper, appendix B).
///
/// An item is a byte string or a list of items. A string of one byte below
/// 0x80 is that byte; otherwise a string of n < 56 bytes is 0x80+n then the
/// bytes, and a longer one 0xb7+k then n as k big-endian bytes then the bytes.
/// A list whose concatenated item encodings (its payload) take n bytes is
/// 0xc0+n (n < 56) or 0xf7+k, n in k bytes, then the payload. Integers are
/// strings holding their minimal big-endian bytes (zero is the empty string).
///
/// Decoding accepts only the canonical encoding, which is unique: a single
/// byte below 0x80 is never wrapped, lengths have no leading zero, the long
/// form only encodes payloads of 56 bytes or more, nested items exactly fill
/// their list, and the whole input is one item. Every violation is an
/// `RLPError` naming its offset; hostile input never traps and list nesting
/// is bounded by `maximumDepth` so that recursion cannot exhaust the stack.
///
/// Encoding writes into one buffer sized up front (lists need their payload
/// length before their payload, so `encode(_:)` measures the tree once, then
/// writes it), never concatenating nested encodings.
public enum RLPItem: Equatable, Hashable, Sendable {
    case bytes([UInt8])
    case list([RLPItem])

    /// The string's bytes; nil for a list.
    public var bytesValue: [UInt8]? {
        if case .bytes(let bytes) = self { bytes } else { nil }
    }

    /// The list's items; nil for a string.
    public var listValue: [RLPItem]? {
        if case .list(let items) = self { items } else { nil }
    }
}

public enum RLP {
    /// The deepest list nesting `decode` accepts. Ethereum's structures nest
    /// at most four deep; the bound keeps hostile input from exhausting the
    /// stack of a secondary thread.
    public static let maximumDepth = 256

    // MARK: Encoding

    /// The canonical encoding of `item`.
    public static func encode(_ item: RLPItem) -> [UInt8] {
        // Pass 1: payload length of every list, in pre-order.
        var listPayloads = [Int]()
        let total = measure(item, listPayloads: &listPayloads)
        var out = [UInt8]()
        out.reserveCapacity(total)
        var next = 0
        write(item, listPayloads: listPayloads, next: &next, to: &out)
        return out
    }

    /// The encoding of the string `bytes`.
    public static func encode(bytes: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 9)
        appendBytes(bytes, to: &out)
        return out
    }

    /// The encoding of a list whose items are already encoded in `items`.
    public static func encode(list items: [[UInt8]]) -> [UInt8] {
        var payload = 0
        for item in items { payload += item.count }
        var out = [UInt8]()
        out.reserveCapacity(payload + 9)
        appendListHeader(payloadLength: payload, to: &out)
        for item in items { out.append(contentsOf: item) }
        return out
    }

    /// The encoding of `value` as its minimal big-endian bytes.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(9)
        append(value, to: &out)
        return out
    }

    /// The encoding of `value` as its minimal big-endian bytes.
    public static func encode(_ value: UInt256) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(33)
        append(value, to: &out)
        return out
    }

    /// Appends the encoding of the string `bytes`.
    @inlinable
    public static func appendBytes(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        let count = bytes.count
        if count == 1, let only = bytes.first, only < 0x80 {
            out.append(only)
            return
        }
        appendHeader(shortBase: 0x80, length: count, to: &out)
        out.append(contentsOf: bytes)
    }

    /// Appends the header of a list whose payload (the items' encodings,
    /// appended next by the caller) takes `payloadLength` bytes.
    @inlinable
    public static func appendListHeader(payloadLength: Int, to out: inout [UInt8]) {
        appendHeader(shortBase: 0xC0, length: payloadLength, to: &out)
    }

    /// Appends the encoding of `value` as its minimal big-endian bytes.
    @inlinable
    public static func append(_ value: UInt64, to out: inout [UInt8]) {
        if value != 0 && value < 0x80 {
            out.append(UInt8(value))
            return
        }
        let count = (64 - value.leadingZeroBitCount + 7) / 8
        out.append(0x80 + UInt8(count))
        appendBigEndian(value, byteCount: count, to: &out)
    }

    /// Appends the encoding of `value` as its minimal big-endian bytes.
    @inlinable
    public static func append(_ value: UInt256, to out: inout [UInt8]) {
        if let small = value.uint64IfFits {
            append(small, to: &out)
            return
        }
        let count = value.significantBytes
        out.append(0x80 + UInt8(count))
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { block in
            value.storeBigEndian(to: block.baseAddress!)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: block[(32 - count)...]))
        }
    }

    /// The encoded size of a string of `count` bytes whose first byte is
    /// `first` (only consulted when `count` is 1).
    @inlinable
    public static func encodedLength(ofBytes count: Int, first: UInt8) -> Int {
        if count == 1 && first < 0x80 { return 1 }
        return headerLength(count) + count
    }

    /// The encoded size of a list with a payload of `payloadLength` bytes.
    @inlinable
    public static func encodedLength(ofListPayload payloadLength: Int) -> Int {
        headerLength(payloadLength) + payloadLength
    }

    /// The size of the header before a payload of `length` bytes.
    @inlinable
    public static func headerLength(_ length: Int) -> Int {
        length < 56 ? 1 : 1 + (64 - UInt64(length).leadingZeroBitCount + 7) / 8
    }

    @inlinable
    static func appendHeader(shortBase: UInt8, length: Int, to out: inout [UInt8]) {
        if length < 56 {
            out.append(shortBase + UInt8(length))
            return
        }
        let lengthBytes = (64 - UInt64(length).leadingZeroBitCount + 7) / 8
        // 0xb7 + k for strings, 0xf7 + k for lists.
        out.append(shortBase + 55 + UInt8(lengthBytes))
        appendBigEndian(UInt64(length), byteCount: lengthBytes, to: &out)
    }

    @inlinable
    static func appendBigEndian(_ value: UInt64, byteCount: Int, to out: inout [UInt8]) {
        var shift = (byteCount - 1) * 8
        while shift >= 0 {
            out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    /// Returns the encoded size of `item`; appends the payload length of every
    /// list in pre-order.
    private static func measure(_ item: RLPItem, listPayloads: inout [Int]) -> Int {
        switch item {
        case .bytes(let bytes):
            return encodedLength(ofBytes: bytes.count, first: bytes.first ?? 0)
        case .list(let items):
            let slot = listPayloads.count
            listPayloads.append(0)
            var payload = 0
            for child in items { payload += measure(child, listPayloads: &listPayloads) }
            listPayloads[slot] = payload
            return encodedLength(ofListPayload: payload)
        }
    }

    private static func write(_ item: RLPItem, listPayloads: [Int], next: inout Int, to out: inout [UInt8]) {
        switch item {
        case .bytes(let bytes):
            appendBytes(bytes, to: &out)
        case .list(let items):
            appendListHeader(payloadLength: listPayloads[next], to: &out)
            next += 1
            for child in items { write(child, listPayloads: listPayloads, next: &next, to: &out) }
        }
    }

    // MARK: Decoding

    /// The one item that `bytes` encodes, canonically and entirely.
    public static func decode(_ bytes: [UInt8]) throws(RLPError) -> RLPItem {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(RLPError) -> RLPItem in try decode(buffer) }
        }
        return try result.get()
    }

    /// The one item that `buffer` encodes, canonically and entirely.
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(RLPError) -> RLPItem {
        guard !buffer.isEmpty else { throw .empty }
        var offset = 0
        let item = try decodeItem(buffer, at: &offset, end: buffer.count, depth: 0)
        guard offset == buffer.count else { throw .trailingBytes(offset: offset, count: buffer.count - offset) }
        return item
    }

    /// Where an item's payload lies, after its header was checked.
    public struct Header: Equatable, Sendable {
        public var isList: Bool
        /// Offset of the payload's first byte in the input.
        public var payloadOffset: Int
        public var payloadLength: Int
        /// Offset just past the item.
        public var end: Int { payloadOffset + payloadLength }
    }

    /// Reads and checks the header of the item at `offset`, which must end by
    /// `end`. For a single byte below 0x80 the payload is that byte itself.
    public static func header(_ buffer: UnsafeRawBufferPointer, at offset: Int, end: Int) throws(RLPError) -> Header {
        guard offset < end else { throw .truncated(offset: offset, needed: 1, available: 0) }
        let available = end - offset
        let prefix = buffer[offset]
        switch prefix {
        case 0x00..<0x80:
            return Header(isList: false, payloadOffset: offset, payloadLength: 1)
        case 0x80...0xB7, 0xC0...0xF7:
            let isList = prefix >= 0xC0
            let length = Int(prefix - (isList ? 0xC0 : 0x80))
            guard 1 + length <= available else {
                throw .truncated(offset: offset, needed: 1 + length, available: available)
            }
            if !isList && length == 1 && buffer[offset + 1] < 0x80 { throw .singleByteNotSelfEncoded(offset: offset) }
            return Header(isList: isList, payloadOffset: offset + 1, payloadLength: length)
        default:
            let isList = prefix >= 0xF8
            let lengthBytes = Int(prefix - (isList ? 0xF7 : 0xB7))
            guard 1 + lengthBytes <= available else {
                throw .truncated(offset: offset, needed: 1 + lengthBytes, available: available)
            }
            guard buffer[offset + 1] != 0 else { throw .lengthHasLeadingZero(offset: offset) }
            var length: UInt64 = 0
            for index in 0..<lengthBytes { length = length << 8 | UInt64(buffer[offset + 1 + index]) }
            // lengthBytes <= 8 so the loop cannot overflow UInt64, only Int.
            guard length <= UInt64(Int.max - 1 - lengthBytes) else { throw .lengthOverflow(offset: offset) }
            guard length >= 56 else { throw .longFormForShortPayload(offset: offset, length: Int(length)) }
            let needed = 1 + lengthBytes + Int(length)
            guard needed <= available else { throw .truncated(offset: offset, needed: needed, available: available) }
            return Header(isList: isList, payloadOffset: offset + 1 + lengthBytes, payloadLength: Int(length))
        }
    }

    private static func decodeItem(
        _ buffer: UnsafeRawBufferPointer, at offset: inout Int, end: Int, depth: Int
    ) throws(RLPError) -> RLPItem {
        let header = try header(buffer, at: offset, end: end)
        defer { offset = header.end }
        guard header.isList else {
            return .bytes(Array(buffer[header.payloadOffset..<header.end]))
        }
        guard depth < maximumDepth else { throw .tooDeep(offset: offset, limit: maximumDepth) }
        var items = [RLPItem]()
        var cursor = header.payloadOffset
        while cursor < header.end {
            items.append(try decodeItem(buffer, at: &cursor, end: header.end, depth: depth + 1))
        }
        return .list(items)
    }
}
