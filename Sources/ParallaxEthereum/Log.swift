/// An EVM log record and the logs hash of the state tests (Yellow Paper,
/// section 4.3.1: a log entry is (address, topics, data); RLP, appendix B).
///
/// `logsHash` is keccak256(rlp([[address, [topic...], data]...])), the
/// `logs` field of ethereum/tests state tests; for no logs it is
/// keccak256(0xc0) = 0x1dcc4d...9347.
public struct Log: Hashable, Sendable {
    public var address: Address
    /// At most four (LOG0...LOG4).
    public var topics: [Bytes32]
    public var data: [UInt8]

    public init(address: Address, topics: [Bytes32], data: [UInt8]) {
        self.address = address
        self.topics = topics
        self.data = data
    }

    /// Appends rlp([address, [topics], data]).
    public func appendRLP(to out: inout [UInt8]) {
        let topicsPayload = 33 * topics.count
        let payload = 21 + RLP.encodedLength(ofListPayload: topicsPayload)
            + RLP.encodedLength(ofBytes: data.count, first: data.first ?? 0)
        RLP.appendListHeader(payloadLength: payload, to: &out)
        out.append(0x80 + 20)
        out.append(contentsOf: address.bytes)
        RLP.appendListHeader(payloadLength: topicsPayload, to: &out)
        for topic in topics {
            out.append(0x80 + 32)
            out.append(contentsOf: topic.bytes)
        }
        RLP.appendBytes(data, to: &out)
    }

    /// rlp([address, [topics], data]).
    public var rlp: [UInt8] {
        var out = [UInt8]()
        appendRLP(to: &out)
        return out
    }
}

/// keccak256 of the RLP list of `logs`.
public func logsHash(_ logs: [Log]) -> Bytes32 {
    var payload = [UInt8]()
    for log in logs { log.appendRLP(to: &payload) }
    var out = [UInt8]()
    out.reserveCapacity(RLP.encodedLength(ofListPayload: payload.count))
    RLP.appendListHeader(payloadLength: payload.count, to: &out)
    out.append(contentsOf: payload)
    return keccak256(out)
}
