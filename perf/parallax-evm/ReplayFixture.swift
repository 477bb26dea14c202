// One folder of pevm's mainnet block fixtures (risechain/pevm, MIT), read
// into the block executor's types.
//
// - `block.json`: the block as JSON-RPC `eth_getBlockByNumber` with full
//   transactions (quantities and byte strings as "0x" hex);
// - `pre_state.json`: `{address: {basic: {balance, nonce}, code: {bytecode,
//   original_len, ...} | null, storage: {slot: value}, code_hash}}`, every
//   account the block touches as it was before it (only the touched slots).
//   The bytecode is revm's analyzed form, padded past the code: its first
//   `original_len` bytes are the code;
// - `block_hashes.json` (optional): `{number: hash}` for BLOCKHASH.
//
// A missing field, a wrong JSON type or bad hex is a `FixtureError` naming
// the file and the field.

import Foundation
import ParallaxEthereum
import ParallaxEthereumBlocks

struct ReplayFixture {
    let name: String
    let block: EthereumBlock
    let preState: [Address: PreStateAccount]

    init(folder: String) throws {
        name = URL(fileURLWithPath: folder).lastPathComponent
        let blockJSON = try ReplayFixture.object(at: folder + "/block.json")
        let preJSON = try ReplayFixture.object(at: folder + "/pre_state.json")
        var hashes: [UInt64: Bytes32] = [:]
        let hashesPath = folder + "/block_hashes.json"
        if FileManager.default.fileExists(atPath: hashesPath) {
            let reader = JSONReader(file: hashesPath, object: try ReplayFixture.object(at: hashesPath))
            for (key, _) in reader.object {
                guard let number = UInt64(key) else { throw FixtureError(location: "\(hashesPath)/\(key)", problem: "not a block number") }
                hashes[number] = try reader.bytes32(key)
            }
        }
        block = try ReplayFixture.block(JSONReader(file: folder + "/block.json", object: blockJSON), blockHashes: hashes)
        preState = try ReplayFixture.preState(JSONReader(file: folder + "/pre_state.json", object: preJSON))
    }

    static func object(at path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FixtureError(location: path, problem: "cannot be read")
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError(location: path, problem: "not a JSON object")
        }
        return object
    }

    static func block(_ json: JSONReader, blockHashes: [UInt64: Bytes32]) throws -> EthereumBlock {
        guard let bloom = LogsBloom(bytes: try json.bytes("logsBloom")) else {
            throw FixtureError(location: json.path("logsBloom"), problem: "not 256 bytes")
        }
        let header = EthereumBlockHeader(
            number: try json.uint64("number"), timestamp: try json.uint64("timestamp"),
            coinbase: try json.address("miner"), gasLimit: try json.uint64("gasLimit"), gasUsed: try json.uint64("gasUsed"),
            baseFee: try json.optional("baseFeePerGas") { try json.uint256("baseFeePerGas") },
            difficulty: try json.uint256("difficulty"), mixHash: try json.bytes32("mixHash"),
            blobGasUsed: try json.optional("blobGasUsed") { try json.uint64("blobGasUsed") },
            excessBlobGas: try json.optional("excessBlobGas") { try json.uint64("excessBlobGas") },
            parentBeaconBlockRoot: try json.optional("parentBeaconBlockRoot") { try json.bytes32("parentBeaconBlockRoot") },
            receiptsRoot: try json.bytes32("receiptsRoot"), logsBloom: bloom)

        var transactions: [EthereumTransaction] = []
        var senders: [Address?] = []
        for (index, element) in try json.array("transactions").enumerated() {
            let tx = try json.child(element, "transactions/\(index)")
            transactions.append(try transaction(tx))
            senders.append(try tx.optional("from") { try tx.address("from") })
        }
        var ommers: [Ommer] = []
        var ommersWithoutHeaders = 0
        for (index, element) in (try json.optionalArray("uncles") ?? []).enumerated() {
            if element is String {
                ommersWithoutHeaders += 1
            } else {
                let ommer = try json.child(element, "uncles/\(index)")
                ommers.append(Ommer(coinbase: try ommer.address("miner"), number: try ommer.uint64("number")))
            }
        }
        var withdrawals: [Withdrawal] = []
        for (index, element) in (try json.optionalArray("withdrawals") ?? []).enumerated() {
            let w = try json.child(element, "withdrawals/\(index)")
            withdrawals.append(Withdrawal(
                index: try w.uint64("index"), validatorIndex: try w.uint64("validatorIndex"),
                address: try w.address("address"), amount: try w.uint64("amount")))
        }
        return EthereumBlock(
            header: header, transactions: transactions, claimedSenders: senders, ommers: ommers,
            ommersWithoutHeaders: ommersWithoutHeaders, withdrawals: withdrawals, blockHashes: blockHashes)
    }

    /// A JSON-RPC transaction object; its `type` picks the fields.
    static func transaction(_ tx: JSONReader) throws -> EthereumTransaction {
        let typeValue = try tx.optional("type") { try tx.uint64("type") } ?? 0
        guard let kind = EthereumTransaction.Kind(rawValue: UInt8(truncatingIfNeeded: typeValue)), typeValue < 4 else {
            throw FixtureError(location: tx.path("type"), problem: "unsupported transaction type \(typeValue)")
        }
        let v = try tx.uint256("v")
        let chainID: UInt64?
        let yParity: UInt8
        if kind == .legacy {
            guard let small = v.uint64IfFits else { throw FixtureError(location: tx.path("v"), problem: "v too large") }
            switch small {
            case 27, 28:
                chainID = nil
                yParity = UInt8(small - 27)
            case 35...:
                chainID = (small - 35) / 2
                yParity = UInt8((small - 35) % 2)
            default:
                throw FixtureError(location: tx.path("v"), problem: "legacy v \(small) is neither 27/28 nor EIP-155")
            }
        } else {
            chainID = try tx.uint64("chainId")
            let parity = try tx.optional("yParity") { try tx.uint64("yParity") } ?? v.uint64IfFits ?? 2
            guard parity <= 1 else { throw FixtureError(location: tx.path("yParity"), problem: "y parity \(parity)") }
            yParity = UInt8(parity)
        }
        var accessList: [EthereumTransaction.AccessListEntry] = []
        for (index, element) in (try tx.optionalArray("accessList") ?? []).enumerated() {
            let entry = try tx.child(element, "accessList/\(index)")
            let keys = try entry.array("storageKeys").enumerated().map { (i, key) throws -> Bytes32 in
                guard let text = key as? String else { throw FixtureError(location: entry.path("storageKeys/\(i)"), problem: "not a string") }
                return try FixtureHex.bytes32(text)
            }
            accessList.append(EthereumTransaction.AccessListEntry(address: try entry.address("address"), storageKeys: keys))
        }
        let fees = kind == .dynamicFee || kind == .blob
        var blobHashes: [Bytes32] = []
        if kind == .blob {
            blobHashes = try tx.array("blobVersionedHashes").enumerated().map { (i, hash) throws -> Bytes32 in
                guard let text = hash as? String else { throw FixtureError(location: tx.path("blobVersionedHashes/\(i)"), problem: "not a string") }
                return try FixtureHex.bytes32(text)
            }
        }
        return EthereumTransaction(
            kind: kind, chainID: chainID, nonce: try tx.uint64("nonce"),
            gasPrice: fees ? .zero : try tx.uint256("gasPrice"),
            maxPriorityFeePerGas: fees ? try tx.uint256("maxPriorityFeePerGas") : .zero,
            maxFeePerGas: fees ? try tx.uint256("maxFeePerGas") : .zero,
            gasLimit: try tx.uint64("gas"), to: try tx.optional("to") { try tx.address("to") },
            value: try tx.uint256("value"), data: try tx.bytes("input"), accessList: accessList,
            maxFeePerBlobGas: kind == .blob ? try tx.uint256("maxFeePerBlobGas") : .zero, blobVersionedHashes: blobHashes,
            signature: .init(yParity: yParity, r: try tx.uint256("r"), s: try tx.uint256("s")))
    }

    static func preState(_ json: JSONReader) throws -> [Address: PreStateAccount] {
        var accounts: [Address: PreStateAccount] = [:]
        accounts.reserveCapacity(json.object.count)
        for (key, value) in json.object {
            let account = try json.child(value, key)
            let address = try FixtureHex.address(key)
            let basic = try account.child(account.object["basic"] as Any, "basic")
            var code: [UInt8] = []
            if let codeObject = account.object["code"], !(codeObject is NSNull) {
                let reader = try account.child(codeObject, "code")
                code = try reader.bytes("bytecode")
                if reader.object["original_len"] != nil {
                    let length = try reader.uint64("original_len")
                    guard length <= code.count else {
                        throw FixtureError(location: reader.path("original_len"), problem: "longer than the bytecode")
                    }
                    code = Array(code.prefix(Int(length)))
                }
            }
            var storage: [UInt256: UInt256] = [:]
            if let slots = account.object["storage"] {
                let reader = try account.child(slots, "storage")
                for (slot, _) in reader.object {
                    guard let index = try FixtureHex.quantity(slot) else {
                        throw FixtureError(location: reader.path(slot), problem: "slot wider than 256 bits")
                    }
                    storage[index] = try reader.uint256(slot)
                }
            }
            accounts[address] = PreStateAccount(
                nonce: try basic.uint64("nonce"), balance: try basic.uint256("balance"), code: code, storage: storage)
        }
        return accounts
    }
}

/// Typed reads of one JSON object, with errors that name the file and field.
struct JSONReader {
    let file: String
    let prefix: String
    let object: [String: Any]

    init(file: String, object: [String: Any], prefix: String = "") {
        self.file = file
        self.object = object
        self.prefix = prefix
    }

    func path(_ field: String) -> String { "\(file): \(prefix)\(field)" }

    func child(_ value: Any, _ field: String) throws -> JSONReader {
        guard let object = value as? [String: Any] else { throw FixtureError(location: path(field), problem: "not a JSON object") }
        return JSONReader(file: file, object: object, prefix: prefix + field + "/")
    }

    /// nil when the field is absent or null; otherwise `read()`.
    func optional<T>(_ field: String, _ read: () throws -> T) throws -> T? {
        guard let value = object[field], !(value is NSNull) else { return nil }
        return try read()
    }

    func array(_ field: String) throws -> [Any] {
        guard let array = object[field] as? [Any] else { throw FixtureError(location: path(field), problem: "missing or not an array") }
        return array
    }

    func optionalArray(_ field: String) throws -> [Any]? {
        guard let value = object[field], !(value is NSNull) else { return nil }
        return try array(field)
    }

    func string(_ field: String) throws -> String {
        guard let text = object[field] as? String else { throw FixtureError(location: path(field), problem: "missing or not a string") }
        return text
    }

    func bytes(_ field: String) throws -> [UInt8] { try FixtureHex.bytes(string(field)) }
    func bytes32(_ field: String) throws -> Bytes32 { try FixtureHex.bytes32(string(field)) }
    func address(_ field: String) throws -> Address { try FixtureHex.address(string(field)) }

    /// A hex quantity, or a JSON number.
    func uint256(_ field: String) throws -> UInt256 {
        if let number = object[field] as? NSNumber, !(object[field] is String) {
            guard number.int64Value >= 0 else { throw FixtureError(location: path(field), problem: "negative") }
            return UInt256(number.uint64Value)
        }
        guard let value = try FixtureHex.quantity(string(field)) else {
            throw FixtureError(location: path(field), problem: "wider than 256 bits")
        }
        return value
    }

    func uint64(_ field: String) throws -> UInt64 {
        guard let value = try uint256(field).uint64IfFits else { throw FixtureError(location: path(field), problem: "wider than 64 bits") }
        return value
    }
}
