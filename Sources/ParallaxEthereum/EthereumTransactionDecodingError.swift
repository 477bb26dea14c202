/// Why bytes are not a canonical Ethereum transaction (see EthereumTransaction).
public enum TransactionDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    /// The RLP (after any type byte) is not one canonical item.
    case rlp(RLPError)
    /// An EIP-2718 type byte this decoder does not know (Cancun: 1, 2, 3).
    case unsupportedType(UInt8)
    /// The transaction's RLP is a string, not a list.
    case notAList
    case fieldCount(kind: EthereumTransaction.Kind, expected: Int, actual: Int)
    /// A list where the field needs a string.
    case expectedBytes(field: String)
    /// A string where the field needs a list.
    case expectedList(field: String)
    /// An integer field whose big-endian bytes start with zero.
    case integerLeadingZero(field: String)
    /// An integer field longer than its type holds.
    case integerTooLarge(field: String, bytes: Int, maximum: Int)
    /// An address (`to`, access list) that is not 20 bytes (`to` may also be empty).
    case addressLength(field: String, length: Int)
    /// A storage key or blob versioned hash that is not 32 bytes.
    case hashLength(field: String, length: Int)
    /// A typed transaction's yParity that is neither 0 nor 1.
    case invalidYParity(UInt256)
    /// A legacy v that is neither 27, 28 nor 35 + 2 * chainId + {0, 1} with a
    /// chain id that fits in 64 bits.
    case invalidLegacyV(UInt256)
    /// A type 3 transaction with an empty `to` (EIP-4844: blob transactions cannot create).
    case blobTransactionWithoutRecipient

    public var description: String {
        switch self {
        case .empty: "transaction: no bytes"
        case .rlp(let error): "transaction: \(error)"
        case .unsupportedType(let type): "transaction: unsupported type 0x\(String(type, radix: 16))"
        case .notAList: "transaction: RLP string where the field list belongs"
        case .fieldCount(let kind, let expected, let actual):
            "transaction: type \(kind.rawValue) has \(expected) fields, got \(actual)"
        case .expectedBytes(let field): "transaction: \(field) is a list, expected a string"
        case .expectedList(let field): "transaction: \(field) is a string, expected a list"
        case .integerLeadingZero(let field): "transaction: \(field) has a leading zero byte"
        case .integerTooLarge(let field, let bytes, let maximum):
            "transaction: \(field) has \(bytes) bytes, at most \(maximum) allowed"
        case .addressLength(let field, let length): "transaction: \(field) is \(length) bytes, expected 20"
        case .hashLength(let field, let length): "transaction: \(field) is \(length) bytes, expected 32"
        case .invalidYParity(let value): "transaction: yParity \(value), expected 0 or 1"
        case .invalidLegacyV(let value): "transaction: legacy v \(value), expected 27, 28 or 35 + 2 * chainId + {0, 1}"
        case .blobTransactionWithoutRecipient: "transaction: blob transaction (type 3) without a recipient"
        }
    }
}
