/// Decoding of the canonical transaction encoding (EIP-2718 envelope, legacy
/// with EIP-155, EIP-2930, EIP-1559, EIP-4844; layouts in EthereumTransaction).
///
/// Strict, like the network's decoders: canonical RLP (RLP.decode), exactly
/// the type's field count, integers without leading zeros and within their
/// width (nonce and gas limit 64 bits, EIP-2681; amounts 256), addresses 20
/// bytes, hashes 32, yParity 0 or 1, legacy v one of 27, 28, 35 + 2 * chainId + {0, 1}.
extension EthereumTransaction {
    public init(decoding bytes: [UInt8]) throws(TransactionDecodingError) {
        guard let first = bytes.first else { throw .empty }
        let kind: Kind
        let body: [UInt8]
        if first >= 0xC0 {
            kind = .legacy
            body = bytes
        } else if first < 0x80 {
            guard let typed = Kind(rawValue: first), typed != .legacy else { throw .unsupportedType(first) }
            kind = typed
            body = Array(bytes.dropFirst())
        } else {
            throw .notAList
        }
        let item: RLPItem
        do { item = try RLP.decode(body) } catch { throw .rlp(error) }
        guard case .list(let fields) = item else { throw .notAList }
        try self.init(kind: kind, fields: fields)
    }

    private init(kind: Kind, fields: [RLPItem]) throws(TransactionDecodingError) {
        let expected = switch kind {
        case .legacy: 9
        case .accessList: 11
        case .dynamicFee: 12
        case .blob: 14
        }
        guard fields.count == expected else { throw .fieldCount(kind: kind, expected: expected, actual: fields.count) }
        var reader = FieldReader(fields: fields)
        var chainID: UInt64? = nil
        if kind != .legacy { chainID = try reader.uint64("chainId") }
        let nonce = try reader.uint64("nonce")
        var gasPrice = UInt256.zero, maxPriorityFeePerGas = UInt256.zero, maxFeePerGas = UInt256.zero
        switch kind {
        case .legacy, .accessList:
            gasPrice = try reader.uint256("gasPrice")
        case .dynamicFee, .blob:
            maxPriorityFeePerGas = try reader.uint256("maxPriorityFeePerGas")
            maxFeePerGas = try reader.uint256("maxFeePerGas")
        }
        let gasLimit = try reader.uint64("gasLimit")
        let toBytes = try reader.bytes("to")
        var to: Address? = nil
        if !toBytes.isEmpty {
            guard let address = Address(bytes: toBytes) else { throw .addressLength(field: "to", length: toBytes.count) }
            to = address
        } else if kind == .blob {
            throw .blobTransactionWithoutRecipient
        }
        let value = try reader.uint256("value")
        let data = try reader.bytes("data")
        var accessList: [AccessListEntry] = []
        if kind != .legacy { accessList = try reader.accessList() }
        var maxFeePerBlobGas = UInt256.zero
        var blobVersionedHashes: [Bytes32] = []
        if kind == .blob {
            maxFeePerBlobGas = try reader.uint256("maxFeePerBlobGas")
            blobVersionedHashes = try reader.list("blobVersionedHashes").map { (item) throws(TransactionDecodingError) in
                try FieldReader.hash(item, "blobVersionedHashes")
            }
        }
        let vField = try reader.uint256(kind == .legacy ? "v" : "yParity")
        let r = try reader.uint256("r")
        let s = try reader.uint256("s")
        let yParity: UInt8
        if kind == .legacy {
            (chainID, yParity) = try Self.splitLegacyV(vField)
        } else {
            guard vField <= UInt256.one else { throw .invalidYParity(vField) }
            yParity = UInt8(vField.l0)
        }
        self.init(
            kind: kind, chainID: chainID, nonce: nonce,
            gasPrice: gasPrice, maxPriorityFeePerGas: maxPriorityFeePerGas, maxFeePerGas: maxFeePerGas,
            gasLimit: gasLimit, to: to, value: value, data: data, accessList: accessList,
            maxFeePerBlobGas: maxFeePerBlobGas, blobVersionedHashes: blobVersionedHashes,
            signature: Signature(yParity: yParity, r: r, s: s))
    }

    /// (chainId, yParity) from a legacy v (Yellow Paper 4.2; EIP-155).
    private static func splitLegacyV(_ v: UInt256) throws(TransactionDecodingError) -> (UInt64?, UInt8) {
        guard let small = v.uint64IfFits else {
            // v > 2^64 - 1, so v - 35 cannot wrap; the chain id, half of
            // it, must fit in 64 bits.
            let offset = v &- UInt256(35)
            guard offset.l3 == 0, offset.l2 == 0, offset.l1 <= 1 else { throw .invalidLegacyV(v) }
            return (UInt64(truncatingIfNeeded: offset.l0 >> 1 | offset.l1 << 63), UInt8(offset.l0 & 1))
        }
        switch small {
        case 27, 28: return (nil, UInt8(small - 27))
        case 35...: return ((small - 35) / 2, UInt8((small - 35) & 1))
        default: throw .invalidLegacyV(v)
        }
    }
}

/// Reads the fields of a decoded transaction list in order.
private struct FieldReader {
    let fields: [RLPItem]
    var next = 0

    init(fields: [RLPItem]) { self.fields = fields }

    mutating func item() -> RLPItem {
        defer { next += 1 }
        return fields[next]
    }

    mutating func bytes(_ field: String) throws(TransactionDecodingError) -> [UInt8] {
        guard case .bytes(let bytes) = item() else { throw .expectedBytes(field: field) }
        return bytes
    }

    mutating func list(_ field: String) throws(TransactionDecodingError) -> [RLPItem] {
        guard case .list(let items) = item() else { throw .expectedList(field: field) }
        return items
    }

    mutating func uint64(_ field: String) throws(TransactionDecodingError) -> UInt64 {
        let bytes = try scalar(field, maximum: 8)
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func uint256(_ field: String) throws(TransactionDecodingError) -> UInt256 {
        let bytes = try scalar(field, maximum: 32)
        // At most 32 bytes, so the failable initializer succeeds.
        return UInt256(bigEndianBytes: bytes) ?? .zero
    }

    private mutating func scalar(_ field: String, maximum: Int) throws(TransactionDecodingError) -> [UInt8] {
        let bytes = try bytes(field)
        if bytes.first == 0 { throw .integerLeadingZero(field: field) }
        guard bytes.count <= maximum else { throw .integerTooLarge(field: field, bytes: bytes.count, maximum: maximum) }
        return bytes
    }

    /// [[address, [storageKey, ...]], ...] (EIP-2930).
    mutating func accessList() throws(TransactionDecodingError) -> [EthereumTransaction.AccessListEntry] {
        var entries: [EthereumTransaction.AccessListEntry] = []
        for entry in try list("accessList") {
            guard case .list(let pair) = entry, pair.count == 2 else { throw .expectedList(field: "accessList entry") }
            guard case .bytes(let addressBytes) = pair[0] else { throw .expectedBytes(field: "accessList address") }
            guard let address = Address(bytes: addressBytes) else {
                throw .addressLength(field: "accessList address", length: addressBytes.count)
            }
            guard case .list(let keys) = pair[1] else { throw .expectedList(field: "accessList storageKeys") }
            var storageKeys: [Bytes32] = []
            storageKeys.reserveCapacity(keys.count)
            for key in keys { storageKeys.append(try Self.hash(key, "accessList storageKey")) }
            entries.append(.init(address: address, storageKeys: storageKeys))
        }
        return entries
    }

    static func hash(_ item: RLPItem, _ field: String) throws(TransactionDecodingError) -> Bytes32 {
        guard case .bytes(let bytes) = item else { throw .expectedBytes(field: field) }
        guard let hash = Bytes32(bytes: bytes) else { throw .hashLength(field: field, length: bytes.count) }
        return hash
    }
}
