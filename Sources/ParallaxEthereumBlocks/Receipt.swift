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
        self.init()
        for log in logs { add(log) }
    }

    /// Adds the log's address and topics.
    public mutating func add(_ log: Log) {
        add(keccak256(log.address.bytes))
        for topic in log.topics { add(keccak256(topic.bytes)) }
    }

    private mutating func add(_ hash: Bytes32) {
        let h = hash.bytes
        for pair in stride(from: 0, to: 6, by: 2) {
            let bit = (Int(h[pair]) << 8 | Int(h[pair + 1])) & 2047
            bytes[LogsBloom.byteCount - 1 - bit / 8] |= UInt8(1) << (bit % 8)
        }
    }

    /// Sets every bit set in `other`.
    public mutating func formUnion(_ other: LogsBloom) {
        for index in 0..<LogsBloom.byteCount { bytes[index] |= other.bytes[index] }
    }

    public var description: String { Hex.encode(bytes) }
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

    public init(type: EthereumTransaction.Kind, outcome: Outcome, cumulativeGasUsed: UInt64, gasUsed: UInt64, logs: [Log]) {
        self.type = type
        self.outcome = outcome
        self.cumulativeGasUsed = cumulativeGasUsed
        self.gasUsed = gasUsed
        self.logs = logs
        self.bloom = LogsBloom(logs: logs)
    }

    /// Whether the transaction succeeded; nil before Byzantium (the
    /// receipt does not say).
    public var succeeded: Bool? {
        if case .status(let ok) = outcome { return ok }
        return nil
    }

    /// The consensus encoding (typed: the type byte, then the RLP); nil
    /// when the outcome is a state root that is not known.
    public var encoded: [UInt8]? {
        var payload = [UInt8]()
        switch outcome {
        case .status(let ok): RLP.append(UInt64(ok ? 1 : 0), to: &payload)
        case .stateRoot(let root?): RLP.appendBytes(root.bytes, to: &payload)
        case .stateRoot(nil): return nil
        }
        RLP.append(cumulativeGasUsed, to: &payload)
        RLP.appendBytes(bloom.bytes, to: &payload)
        var logsPayload = [UInt8]()
        for log in logs { log.appendRLP(to: &logsPayload) }
        RLP.appendListHeader(payloadLength: logsPayload.count, to: &payload)
        payload.append(contentsOf: logsPayload)
        var out = [UInt8]()
        out.reserveCapacity(1 + RLP.encodedLength(ofListPayload: payload.count))
        if type != .legacy { out.append(type.rawValue) }
        RLP.appendListHeader(payloadLength: payload.count, to: &out)
        out.append(contentsOf: payload)
        return out
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
