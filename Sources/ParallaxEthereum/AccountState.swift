/// An account as the state trie stores it (Yellow Paper, section 4.1):
/// rlp([nonce, balance, storageRoot, codeHash]), integers as minimal
/// big-endian strings, the two hashes as 32-byte strings.
public struct AccountState: Hashable, Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    /// Root of the account's storage trie; `EmptyHashes.trieRoot` for none.
    public var storageRoot: Bytes32
    /// keccak256 of the code; `EmptyHashes.code` for none.
    public var codeHash: Bytes32

    public init(
        nonce: UInt64, balance: UInt256,
        storageRoot: Bytes32 = EmptyHashes.trieRoot, codeHash: Bytes32 = EmptyHashes.code
    ) {
        self.nonce = nonce
        self.balance = balance
        self.storageRoot = storageRoot
        self.codeHash = codeHash
    }

    /// rlp([nonce, balance, storageRoot, codeHash]).
    public var rlp: [UInt8] {
        var fields = [UInt8]()
        fields.reserveCapacity(9 + 33 + 66)
        RLP.append(nonce, to: &fields)
        RLP.append(balance, to: &fields)
        for hash in [storageRoot, codeHash] {
            fields.append(0x80 + 32)
            fields.append(contentsOf: hash.bytes)
        }
        var out = [UInt8]()
        out.reserveCapacity(RLP.encodedLength(ofListPayload: fields.count))
        RLP.appendListHeader(payloadLength: fields.count, to: &out)
        out.append(contentsOf: fields)
        return out
    }
}
