import ParallaxExecution
import ParallaxPrecheck
import ParallaxContracts

/// The payload encoding of the built-in erc20 contract's calls
/// (`TokenTransaction`), and its `PayloadDecoder`.
///
/// Layout (little-endian): call tag (1 byte) ‖ token (8) ‖ the call's
/// arguments, 8 bytes each: `1` transfer(to, amount), `2` approve(spender,
/// amount), `3` transferFrom(owner, to, amount), `4` mint(to, amount),
/// `5` burn(amount). Accounts are their raw 64-bit numbers.
public enum ERC20Payload {
    /// The payload of `call` on `token`.
    public static func encode(_ call: TokenTransaction.Call, token: UInt64) -> [UInt8] {
        let (tag, arguments): (UInt8, [UInt64]) = switch call {
        case .transfer(let to, let amount): (1, [to.raw, amount])
        case .approve(let spender, let amount): (2, [spender.raw, amount])
        case .transferFrom(let owner, let to, let amount): (3, [owner.raw, to.raw, amount])
        case .mint(let to, let amount): (4, [to.raw, amount])
        case .burn(let amount): (5, [amount])
        }
        var bytes: [UInt8] = [tag]
        bytes.reserveCapacity(9 + 8 * arguments.count)
        for word in [token] + arguments {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return bytes
    }

    /// Why an erc20 payload was refused.
    public enum DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The payload is empty.
        case empty
        /// The first byte names no call.
        case unknownCall(tag: UInt8)
        /// The call's payload has the wrong length.
        case wrongLength(tag: UInt8, expected: Int, actual: Int)
        /// The sender's public key belongs to no account of the directory.
        case unknownSender

        /// A sentence naming what was wrong.
        public var description: String {
            switch self {
            case .empty: "erc20 payload is empty"
            case .unknownCall(let tag): "erc20 payload: unknown call tag \(tag)"
            case .wrongLength(let tag, let expected, let actual): "erc20 payload: call \(tag) takes \(expected) bytes, got \(actual)"
            case .unknownSender: "erc20 payload: the sender's key has no account"
            }
        }
    }
}

/// Decodes erc20 payloads (`ERC20Payload`); the sender's account is looked
/// up by its public key in a directory, so a transaction can only spend from
/// the account whose key signed it.
public struct ERC20PayloadDecoder: PayloadDecoder {
    /// Which account each public key controls.
    public let accounts: [PublicKey: Account]

    /// A decoder over the directory `accounts`.
    public init(accounts: [PublicKey: Account]) { self.accounts = accounts }

    /// The `TokenTransaction` that `payload` encodes, paid for from the
    /// sender's native balance; the pipeline runs it under the envelope's
    /// gas limit, fee and nonce (see `PayloadDecoder`).
    public func decode(payload: UnsafeRawBufferPointer, sender: PublicKey, envelope: TransactionEnvelope) throws -> any Transaction {
        guard let tag = payload.first else { throw ERC20Payload.DecodingError.empty }
        let arity: Int
        switch tag {
        case 1, 2, 4: arity = 2
        case 3: arity = 3
        case 5: arity = 1
        default: throw ERC20Payload.DecodingError.unknownCall(tag: tag)
        }
        let expected = 9 + 8 * arity
        guard payload.count == expected else {
            throw ERC20Payload.DecodingError.wrongLength(tag: tag, expected: expected, actual: payload.count)
        }
        guard let account = accounts[sender] else { throw ERC20Payload.DecodingError.unknownSender }
        func word(_ index: Int) -> UInt64 { UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: 1 + 8 * index, as: UInt64.self)) }
        let call: TokenTransaction.Call = switch tag {
        case 1: .transfer(to: Account(word(1)), amount: word(2))
        case 2: .approve(spender: Account(word(1)), amount: word(2))
        case 3: .transferFrom(owner: Account(word(1)), to: Account(word(2)), amount: word(3))
        case 4: .mint(to: Account(word(1)), amount: word(2))
        default: .burn(amount: word(1))
        }
        return TokenTransaction(token: word(0), sender: account, call: call)
    }
}
