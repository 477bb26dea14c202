/// An Ethereum transaction of any type the Cancun network accepts, in the
/// canonical encoding that is signed and hashed:
/// - type 0, legacy: rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s])
///   (Yellow Paper, section 4.2) with v = 27 + yParity, or 35 + 2 * chainId +
///   yParity under EIP-155;
/// - type 1 (EIP-2930): 0x01 || rlp([chainId, nonce, gasPrice, gasLimit, to,
///   value, data, accessList, yParity, r, s]);
/// - type 2 (EIP-1559): 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas,
///   maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s]);
/// - type 3 (EIP-4844): 0x03 || rlp([chainId, nonce, maxPriorityFeePerGas,
///   maxFeePerGas, gasLimit, to, value, data, accessList, maxFeePerBlobGas,
///   blobVersionedHashes, yParity, r, s]), `to` required; the network
///   wrapper that adds blobs, commitments and proofs is not this encoding.
/// EIP-2718 frames the typed ones: a first byte below 0x80 is the type, a
/// first byte of 0xc0 or more starts a legacy RLP list.
///
/// The signing hash is keccak256 of the same encoding without the three
/// signature fields (for EIP-155 legacy: with chainId, 0, 0 in their place).
/// Decoding lives in EthereumTransaction+Decoding.swift, sender recovery in
/// EthereumTransaction+Sender.swift.
public struct EthereumTransaction: Hashable, Sendable {
    public enum Kind: UInt8, Hashable, Sendable, CaseIterable {
        case legacy = 0
        case accessList = 1
        case dynamicFee = 2
        case blob = 3
    }

    public struct AccessListEntry: Hashable, Sendable {
        public var address: Address
        public var storageKeys: [Bytes32]

        public init(address: Address, storageKeys: [Bytes32]) {
            self.address = address
            self.storageKeys = storageKeys
        }
    }

    /// An ECDSA signature over `signingHash`, with the parity of the
    /// recovered point's y coordinate.
    public struct Signature: Hashable, Sendable {
        public var yParity: UInt8
        public var r: UInt256
        public var s: UInt256

        public init(yParity: UInt8, r: UInt256, s: UInt256) {
            self.yParity = yParity
            self.r = r
            self.s = s
        }
    }

    public var kind: Kind
    /// nil only for a legacy transaction signed without EIP-155 replay protection.
    public var chainID: UInt64?
    public var nonce: UInt64
    /// Types 0 and 1; zero otherwise.
    public var gasPrice: UInt256
    /// Types 2 and 3; zero otherwise.
    public var maxPriorityFeePerGas: UInt256
    /// Types 2 and 3; zero otherwise.
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    /// nil: contract creation (never for type 3).
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    /// Types 1, 2 and 3.
    public var accessList: [AccessListEntry]
    /// Type 3; zero otherwise.
    public var maxFeePerBlobGas: UInt256
    /// Type 3.
    public var blobVersionedHashes: [Bytes32]
    public var signature: Signature

    public init(
        kind: Kind, chainID: UInt64?, nonce: UInt64,
        gasPrice: UInt256 = .zero, maxPriorityFeePerGas: UInt256 = .zero, maxFeePerGas: UInt256 = .zero,
        gasLimit: UInt64, to: Address?, value: UInt256, data: [UInt8],
        accessList: [AccessListEntry] = [], maxFeePerBlobGas: UInt256 = .zero, blobVersionedHashes: [Bytes32] = [],
        signature: Signature
    ) {
        self.kind = kind
        self.chainID = chainID
        self.nonce = nonce
        self.gasPrice = gasPrice
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.accessList = accessList
        self.maxFeePerBlobGas = maxFeePerBlobGas
        self.blobVersionedHashes = blobVersionedHashes
        self.signature = signature
    }

    /// The legacy `v`: 27 + yParity, or 35 + 2 * chainId + yParity (EIP-155).
    /// For typed transactions, the yParity field itself.
    public var v: UInt256 {
        guard kind == .legacy else { return UInt256(UInt64(signature.yParity)) }
        guard let chainID else { return UInt256(27 + UInt64(signature.yParity)) }
        // 35 + 2 * chainId fits in 66 bits.
        return (UInt256(chainID) &+ UInt256(chainID)) &+ UInt256(35 + UInt64(signature.yParity))
    }

    /// The canonical encoding (the bytes the transaction hash and a block's
    /// transactions trie commit to).
    public var encoded: [UInt8] { envelope(signed: true) }

    /// keccak256(encoded): the transaction hash.
    public var hash: Bytes32 { keccak256(encoded) }

    /// The hash the sender signed.
    public var signingHash: Bytes32 { keccak256(envelope(signed: false)) }

    /// The type byte (typed only) and the RLP list of the fields; unsigned
    /// leaves the signature out (EIP-155 legacy: chainId, 0, 0 instead).
    private func envelope(signed: Bool) -> [UInt8] {
        var fields = [UInt8]()
        fields.reserveCapacity(160 + data.count + 40 * accessList.count)
        appendFields(signed: signed, to: &fields)
        var out = [UInt8]()
        out.reserveCapacity(1 + RLP.encodedLength(ofListPayload: fields.count))
        if kind != .legacy { out.append(kind.rawValue) }
        RLP.appendListHeader(payloadLength: fields.count, to: &out)
        out.append(contentsOf: fields)
        return out
    }

    private func appendFields(signed: Bool, to out: inout [UInt8]) {
        if kind != .legacy { RLP.append(chainID ?? 0, to: &out) }
        RLP.append(nonce, to: &out)
        switch kind {
        case .legacy, .accessList:
            RLP.append(gasPrice, to: &out)
        case .dynamicFee, .blob:
            RLP.append(maxPriorityFeePerGas, to: &out)
            RLP.append(maxFeePerGas, to: &out)
        }
        RLP.append(gasLimit, to: &out)
        if let to { RLP.appendBytes(to.bytes, to: &out) } else { out.append(0x80) }
        RLP.append(value, to: &out)
        RLP.appendBytes(data, to: &out)
        if kind != .legacy { appendAccessList(to: &out) }
        if kind == .blob {
            RLP.append(maxFeePerBlobGas, to: &out)
            RLP.appendListHeader(payloadLength: 33 * blobVersionedHashes.count, to: &out)
            for hash in blobVersionedHashes { RLP.appendBytes(hash.bytes, to: &out) }
        }
        if signed {
            RLP.append(v, to: &out)
            RLP.append(signature.r, to: &out)
            RLP.append(signature.s, to: &out)
        } else if kind == .legacy, let chainID {
            RLP.append(chainID, to: &out)
            out.append(0x80)
            out.append(0x80)
        }
    }

    private func appendAccessList(to out: inout [UInt8]) {
        // Each entry: [address (21 bytes encoded), [keys (33 each)]].
        var payload = 0
        for entry in accessList {
            payload += RLP.encodedLength(ofListPayload: 21 + RLP.encodedLength(ofListPayload: 33 * entry.storageKeys.count))
        }
        RLP.appendListHeader(payloadLength: payload, to: &out)
        for entry in accessList {
            let keys = 33 * entry.storageKeys.count
            RLP.appendListHeader(payloadLength: 21 + RLP.encodedLength(ofListPayload: keys), to: &out)
            RLP.appendBytes(entry.address.bytes, to: &out)
            RLP.appendListHeader(payloadLength: keys, to: &out)
            for key in entry.storageKeys { RLP.appendBytes(key.bytes, to: &out) }
        }
    }
}
