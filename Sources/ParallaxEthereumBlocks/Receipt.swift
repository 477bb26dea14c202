// Receipts (Yellow Paper 4.3.1; EIP-658 status from Byzantium; EIP-2718
// typed envelopes), the logs bloom and the receipts root.
//
// A receipt is rlp([outcome, cumulativeGasUsed, bloom, logs]) where the
// outcome is the post-transaction state root before Byzantium and the status
// (1 success, 0 failure; RLP of 1 is 0x01, of 0 the empty string) from it. A
// typed transaction's receipt is its type byte followed by that RLP. The
// receipts root is the root of the (unhashed-key) Merkle Patricia Trie whose
// key for the receipt at index i is rlp(i).
//
// The bloom is 2048 bits: for the address and each topic of every log,
// keccak256 of its bytes gives three 11-bit indices (bytes 0-1, 2-3, 4-5,
// big-endian, low 11 bits), and bit i is set in big-endian bit order (byte
// 255 - i / 8, bit i % 8).

import ParallaxEthereum

/// A 2048-bit logs bloom.
public struct LogsBloom: Hashable, Sendable, CustomStringConvertible {
    /// 256 bytes, as the header and the receipt carry them.
    public private(set) var bytes: [UInt8]

    public static let byteCount = 256

    /// No bits set.
    public init() { bytes = [UInt8](repeating: 0, count: LogsBloom.byteCount) }

    /// The bloom of these bytes; nil unless there are exactly 256.
    public init?(bytes: [UInt8]) {
        guard bytes.count == LogsBloom.byteCount else { return nil }
        self.bytes = bytes
    }

    /// The bloom of `logs`.
    public init(logs: [Log]) {
        var cache = BloomCache()
        self.init(logs: logs, cache: &cache)
    }

    /// The bloom of `logs`, reusing (and filling) the bit indices of the
    /// addresses and topics `cache` has already hashed: a block's logs
    /// repeat a few contracts and event signatures, so most need no Keccak.
    public init(logs: [Log], cache: inout BloomCache) {
        self.init()
        for log in logs { add(log, cache: &cache) }
    }

    /// Adds the log's address and topics.
    public mutating func add(_ log: Log) {
        var cache = BloomCache()
        add(log, cache: &cache)
    }

    /// Adds the log's address and topics, through `cache`.
    public mutating func add(_ log: Log, cache: inout BloomCache) {
        set(cache.bits(of: log.address))
        for topic in log.topics { set(cache.bits(of: topic)) }
    }

    private mutating func set(_ bits: BloomCache.Bits) {
        for bit in [bits.0, bits.1, bits.2] {
            bytes[LogsBloom.byteCount - 1 - Int(bit) / 8] |= UInt8(1) << (bit % 8)
        }
    }

    /// Sets every bit set in `other`.
    public mutating func formUnion(_ other: LogsBloom) {
        for index in 0..<LogsBloom.byteCount { bytes[index] |= other.bytes[index] }
    }

    public var description: String { Hex.encode(bytes) }
}

/// The bloom bit indices of the addresses and topics hashed so far.
public struct BloomCache: Sendable {
    /// Three 11-bit indices.
    public typealias Bits = (UInt16, UInt16, UInt16)

    private var addresses: [Address: Bits] = [:]
    private var words: [Bytes32: Bits] = [:]

    public init() {}

    /// The indices of an address (hashed as its 20 bytes).
    public mutating func bits(of address: Address) -> Bits {
        if let bits = addresses[address] { return bits }
        let bits = withUnsafeTemporaryAllocation(byteCount: Address.byteCount, alignment: 8) { raw in
            address.store(to: raw.baseAddress!)
            return BloomCache.bits(keccak256(UnsafeRawBufferPointer(raw)))
        }
        addresses[address] = bits
        return bits
    }

    /// The indices of a topic (hashed as its 32 bytes).
    public mutating func bits(of word: Bytes32) -> Bits {
        if let bits = words[word] { return bits }
        let bits = withUnsafeTemporaryAllocation(byteCount: Bytes32.byteCount, alignment: 8) { raw in
            word.store(to: raw.baseAddress!)
            return BloomCache.bits(keccak256(UnsafeRawBufferPointer(raw)))
        }
        words[word] = bits
        return bits
    }

    /// The low 11 bits of the hash's byte pairs 0-1, 2-3 and 4-5 (big-endian).
    static func bits(_ hash: Bytes32) -> Bits {
        // w0 holds bytes 0-7 big-endian: byte 0 is its top byte.
        let w = hash.w0
        return (UInt16(truncatingIfNeeded: w >> 48) & 2047, UInt16(truncatingIfNeeded: w >> 32) & 2047,
                UInt16(truncatingIfNeeded: w >> 16) & 2047)
    }
}

/// The receipt of one included transaction.
public struct Receipt: Sendable, Equatable {
    /// What the receipt commits to besides gas and logs.
    public enum Outcome: Sendable, Equatable {
        /// From Byzantium (EIP-658): whether the transaction succeeded.
        case status(Bool)
        /// Before Byzantium: the state root after the transaction; nil when
        /// it cannot be computed (a partial pre-state).
        case stateRoot(Bytes32?)
    }

    /// The transaction's EIP-2718 type.
    public var type: EthereumTransaction.Kind
    public var outcome: Outcome
    /// Gas used by this transaction and every one before it in the block.
    public var cumulativeGasUsed: UInt64
    /// Gas used by this transaction alone.
    public var gasUsed: UInt64
    /// Empty unless the transaction succeeded.
    public var logs: [Log]
    public var bloom: LogsBloom

    /// - Parameter bloom: the bloom of `logs` when the caller has it (nil: computed here).
    public init(type: EthereumTransaction.Kind, outcome: Outcome, cumulativeGasUsed: UInt64, gasUsed: UInt64, logs: [Log],
                bloom: LogsBloom? = nil) {
        self.type = type
        self.outcome = outcome
        self.cumulativeGasUsed = cumulativeGasUsed
        self.gasUsed = gasUsed
        self.logs = logs
        self.bloom = bloom ?? LogsBloom(logs: logs)
    }

    /// Whether the transaction succeeded; nil before Byzantium (the
    /// receipt does not say).
    public var succeeded: Bool? {
        if case .status(let ok) = outcome { return ok }
        return nil
    }

    /// The consensus encoding (typed: the type byte, then the RLP); nil
    /// when the outcome is a state root that is not known. Written into
    /// one buffer sized up front (a receipt's logs can be megabytes).
    public var encoded: [UInt8]? {
        let outcomeLength: Int
        switch outcome {
        case .status: outcomeLength = 1
        case .stateRoot(.some): outcomeLength = 33
        case .stateRoot(nil): return nil
        }
        var logsLength = 0
        for log in logs {
            let topics = RLP.encodedLength(ofListPayload: 33 * log.topics.count)
            logsLength += RLP.encodedLength(
                ofListPayload: 21 + topics + RLP.encodedLength(ofBytes: log.data.count, first: log.data.first ?? 0))
        }
        var gasBytes = [UInt8]()
        RLP.append(cumulativeGasUsed, to: &gasBytes)
        let payloadLength = outcomeLength + gasBytes.count + 3 + LogsBloom.byteCount + RLP.encodedLength(ofListPayload: logsLength)
        var out = [UInt8]()
        out.reserveCapacity(1 + RLP.encodedLength(ofListPayload: payloadLength))
        if type != .legacy { out.append(type.rawValue) }
        RLP.appendListHeader(payloadLength: payloadLength, to: &out)
        switch outcome {
        case .status(let ok): out.append(ok ? 0x01 : 0x80)
        case .stateRoot(let root?): RLP.appendBytes(root.bytes, to: &out)
        case .stateRoot(nil): return nil
        }
        out.append(contentsOf: gasBytes)
        RLP.appendBytes(bloom.bytes, to: &out)
        RLP.appendListHeader(payloadLength: logsLength, to: &out)
        for log in logs { Receipt.append(log, to: &out) }
        return out
    }

    /// Appends rlp([address, [topics], data]) (`Log.appendRLP`'s bytes),
    /// storing the address and topics straight into `out`.
    static func append(_ log: Log, to out: inout [UInt8]) {
        let topicsPayload = 33 * log.topics.count
        let payload = 21 + RLP.encodedLength(ofListPayload: topicsPayload)
            + RLP.encodedLength(ofBytes: log.data.count, first: log.data.first ?? 0)
        RLP.appendListHeader(payloadLength: payload, to: &out)
        out.append(0x80 + UInt8(Address.byteCount))
        let addressAt = out.count
        out.append(contentsOf: repeatElement(0, count: Address.byteCount))
        out.withUnsafeMutableBytes { log.address.store(to: $0.baseAddress! + addressAt) }
        RLP.appendListHeader(payloadLength: topicsPayload, to: &out)
        let topicsAt = out.count
        out.append(contentsOf: repeatElement(0, count: topicsPayload))
        out.withUnsafeMutableBytes { raw in
            for (index, topic) in log.topics.enumerated() {
                raw[topicsAt + 33 * index] = 0x80 + UInt8(Bytes32.byteCount)
                topic.store(to: raw.baseAddress! + topicsAt + 33 * index + 1)
            }
        }
        RLP.appendBytes(log.data, to: &out)
    }

    /// The receipts root of a block's receipts in order; nil when any
    /// receipt cannot be encoded (an unknown pre-Byzantium state root).
    public static func root(of receipts: [Receipt]) -> Bytes32? {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(receipts.count)
        for (index, receipt) in receipts.enumerated() {
            guard let value = receipt.encoded else { return nil }
            entries.append((key: RLP.encode(UInt64(index)), value: value))
        }
        return MerklePatriciaTrie.root(entries)
    }
}
