// One state-test file of ethereum/tests, parsed once into typed values.
//
// Format (ethereum/tests `GeneralStateTests`, filled): `{name: {env, pre,
// transaction, post}}`. `transaction` holds arrays `data`, `gasLimit`, `value`
// (and `accessLists`, parallel to `data`); each `post[fork][i]` picks one
// combination by `indexes {data, gas, value}` and gives the expected post-state
// root `hash`, the logs hash `logs` and, for a transaction that must be
// rejected, `expectException`.
//
// Everything a file's vectors share (the pre-state, the environment, the
// transaction's arrays) is parsed once here and shared by all its vectors.
// Structural problems (a missing field, a wrong JSON type, bad hex, an index
// out of range) are a `FixtureError` naming the test and the field; a
// transaction field too wide for its type is not an error of the file: the
// transaction is undecodable and a valid vector expects it rejected.

import Foundation
import ParallaxEthereum

/// A fixture file that is not a well-formed state test.
struct FixtureError: Error, CustomStringConvertible {
    /// Path inside the file: test name and field ("stFoo/pre/0x.../balance").
    var location: String
    var problem: String

    var description: String { location.isEmpty ? problem : "\(location): \(problem)" }
}

/// One account of a pre-state (or of a post-state being built).
struct WorldAccount: Sendable {
    var nonce: UInt64
    var balance: UInt256
    var code: [UInt8]
    var codeHash: Bytes32
    var storage: [UInt256: UInt256]
}

/// A whole world state, as the state tests write it.
struct WorldState: Sendable {
    var accounts: [Address: WorldAccount]
    /// Every code of the state by its hash: the EVM asks for code by hash.
    var codes: [Bytes32: [UInt8]]
}

/// The `env` section.
struct StateTestEnvironment: Sendable {
    var coinbase: Address
    var number: UInt64
    var timestamp: UInt64
    var gasLimit: UInt64
    var difficulty: UInt256
    var baseFee: UInt256?
    var random: Bytes32?
    var excessBlobGas: UInt64?
    /// ethereum-spec-evm's statetest gives BLOCKHASH exactly one known hash:
    /// block 0's, taken from `previousHash` when the test has one.
    var previousHash: Bytes32?
}

/// One entry of an EIP-2930 access list.
struct AccessListEntry: Sendable {
    var address: Address
    var storageKeys: [UInt256]
}

/// The `transaction` section: the arrays the vectors index into, and the rest.
///
/// A quantity that is `nil` here was too wide for its type in the fixture:
/// the transaction cannot be decoded, so a vector using it must expect it rejected.
struct TransactionTemplate: Sendable {
    var data: [[UInt8]]
    var gasLimits: [UInt64?]
    var values: [UInt256?]
    /// Parallel to `data` when present; an entry may be null.
    var accessLists: [[AccessListEntry]?]?
    var nonce: UInt64?
    var gasPrice: UInt256?
    var maxFeePerGas: UInt256?
    var maxPriorityFeePerGas: UInt256?
    var maxFeePerBlobGas: UInt256?
    var blobVersionedHashes: [Bytes32]?
    /// nil: contract creation (`"to": ""`).
    var to: Address?
    var sender: Address?
    var secretKey: Bytes32?
    /// Fields present in the JSON but too wide for their type, by name.
    var overflowingFields: [String]
}

/// One `post[fork][i]` entry.
struct PostEntry: Sendable {
    var dataIndex: Int
    var gasIndex: Int
    var valueIndex: Int
    var hash: Bytes32
    var logs: Bytes32
    var expectException: String?
}

/// One named test of a file.
struct StateTest: Sendable {
    var name: String
    var env: StateTestEnvironment
    var pre: WorldState
    var transaction: TransactionTemplate
    /// By the fork name as written in the file.
    var post: [String: [PostEntry]]
}

enum StateTestFixture {
    /// Parses a whole file's bytes. Tests come back sorted by name, so that
    /// reports are stable across runs.
    static func parse(_ data: Data) throws -> [StateTest] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw FixtureError(location: "", problem: "not JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else {
            throw FixtureError(location: "", problem: "top level is not an object of tests")
        }
        var tests = [StateTest]()
        for name in root.keys.sorted() {
            let r = Reader(location: name)
            let test = try r.object(root[name])
            let parsed = StateTest(
                name: name,
                env: try parseEnvironment(r.field(test, "env")),
                pre: try parsePre(r.field(test, "pre")),
                transaction: try parseTransaction(r.field(test, "transaction")),
                post: try parsePost(r.field(test, "post"))
            )
            try checkIndexes(parsed)
            tests.append(parsed)
        }
        return tests
    }

    /// Every `post` entry must pick existing elements of the transaction's
    /// arrays, so that running a vector cannot index out of range.
    private static func checkIndexes(_ test: StateTest) throws {
        let tx = test.transaction
        if let lists = tx.accessLists, lists.count != tx.data.count {
            throw FixtureError(
                location: test.name + "/transaction/accessLists",
                problem: "\(lists.count) access lists for \(tx.data.count) data entries"
            )
        }
        for (fork, entries) in test.post {
            for (i, e) in entries.enumerated() {
                let limits = [("data", e.dataIndex, tx.data.count), ("gas", e.gasIndex, tx.gasLimits.count),
                              ("value", e.valueIndex, tx.values.count)]
                for (field, index, count) in limits where index >= count {
                    throw FixtureError(
                        location: "\(test.name)/post/\(fork)/\(i)/indexes/\(field)",
                        problem: "index \(index) out of range (\(count) entries)"
                    )
                }
            }
        }
    }

    private static func parseEnvironment(_ r: Reader) throws -> StateTestEnvironment {
        let o = try r.object(r.value)
        return StateTestEnvironment(
            coinbase: try r.field(o, "currentCoinbase").address(),
            number: try r.field(o, "currentNumber").uint64(),
            timestamp: try r.field(o, "currentTimestamp").uint64(),
            gasLimit: try r.field(o, "currentGasLimit").uint64(),
            difficulty: try r.optionalField(o, "currentDifficulty")?.uint256() ?? .zero,
            baseFee: try r.optionalField(o, "currentBaseFee")?.uint256(),
            random: try r.optionalField(o, "currentRandom")?.bytes32(),
            excessBlobGas: try r.optionalField(o, "currentExcessBlobGas")?.uint64(),
            previousHash: try r.optionalField(o, "previousHash")?.bytes32()
        )
    }

    private static func parsePre(_ r: Reader) throws -> WorldState {
        let o = try r.object(r.value)
        var accounts = [Address: WorldAccount]()
        var codes = [Bytes32: [UInt8]]()
        accounts.reserveCapacity(o.count)
        for (key, value) in o {
            let ar = r.child(key, value)
            let address = try ar.address(of: key)
            let a = try ar.object(value)
            let code = try ar.field(a, "code").bytes()
            var storage = [UInt256: UInt256]()
            let sr = try ar.field(a, "storage")
            for (slotText, valueText) in try sr.object(sr.value) {
                let er = sr.child(slotText, valueText)
                let slot = try er.uint256(of: slotText)
                let v = try er.uint256()
                if !v.isZero { storage[slot] = v }
            }
            let codeHash = code.isEmpty ? EmptyHashes.code : keccak256(code)
            if !code.isEmpty { codes[codeHash] = code }
            accounts[address] = WorldAccount(
                nonce: try ar.field(a, "nonce").uint64(),
                balance: try ar.field(a, "balance").uint256(),
                code: code,
                codeHash: codeHash,
                storage: storage
            )
        }
        return WorldState(accounts: accounts, codes: codes)
    }

    private static func parseTransaction(_ r: Reader) throws -> TransactionTemplate {
        let o = try r.object(r.value)
        var overflowing = [String]()
        func wide<T>(_ name: String, _ value: T?) -> T? {
            if value == nil { overflowing.append(name) }
            return value
        }
        let dataR = try r.field(o, "data")
        let data = try dataR.array(dataR.value).enumerated().map { i, v in try dataR.child("\(i)", v).bytes() }
        let gasR = try r.field(o, "gasLimit")
        let gasLimits = try gasR.array(gasR.value).enumerated().map { i, v in try gasR.child("\(i)", v).quantity64() }
        let valueR = try r.field(o, "value")
        let values = try valueR.array(valueR.value).enumerated().map { i, v in try valueR.child("\(i)", v).quantity() }

        var accessLists: [[AccessListEntry]?]? = nil
        if let alR = try r.optionalField(o, "accessLists") {
            accessLists = try alR.array(alR.value).enumerated().map { i, v in
                let lr = alR.child("\(i)", v)
                if v is NSNull { return nil }
                return try lr.array(v).enumerated().map { j, e in
                    let er = lr.child("\(j)", e)
                    let eo = try er.object(e)
                    let keysR = try er.field(eo, "storageKeys")
                    return AccessListEntry(
                        address: try er.field(eo, "address").address(),
                        storageKeys: try keysR.array(keysR.value).enumerated().map { k, key in
                            try keysR.child("\(k)", key).uint256()
                        }
                    )
                }
            }
        }
        var blobHashes: [Bytes32]? = nil
        if let bR = try r.optionalField(o, "blobVersionedHashes") {
            blobHashes = try bR.array(bR.value).enumerated().map { i, v in try bR.child("\(i)", v).bytes32() }
        }
        let toText = try r.field(o, "to").string()
        let to: Address? = toText.isEmpty ? nil : try r.field(o, "to").address()

        return TransactionTemplate(
            data: data,
            gasLimits: gasLimits,
            values: values,
            accessLists: accessLists,
            nonce: wide("nonce", try r.field(o, "nonce").quantity64()),
            gasPrice: try r.optionalField(o, "gasPrice").map { wide("gasPrice", try $0.quantity()) } ?? nil,
            maxFeePerGas: try r.optionalField(o, "maxFeePerGas").map { wide("maxFeePerGas", try $0.quantity()) } ?? nil,
            maxPriorityFeePerGas: try r.optionalField(o, "maxPriorityFeePerGas")
                .map { wide("maxPriorityFeePerGas", try $0.quantity()) } ?? nil,
            maxFeePerBlobGas: try r.optionalField(o, "maxFeePerBlobGas")
                .map { wide("maxFeePerBlobGas", try $0.quantity()) } ?? nil,
            blobVersionedHashes: blobHashes,
            to: to,
            sender: try r.optionalField(o, "sender")?.address(),
            secretKey: try r.optionalField(o, "secretKey")?.bytes32(),
            overflowingFields: overflowing
        )
    }

    private static func parsePost(_ r: Reader) throws -> [String: [PostEntry]] {
        let o = try r.object(r.value)
        var post = [String: [PostEntry]]()
        for (fork, entries) in o {
            let fr = r.child(fork, entries)
            post[fork] = try fr.array(entries).enumerated().map { i, e in
                let er = fr.child("\(i)", e)
                let eo = try er.object(e)
                let ir = try er.field(eo, "indexes")
                let io = try ir.object(ir.value)
                return PostEntry(
                    dataIndex: try ir.field(io, "data").index(),
                    gasIndex: try ir.field(io, "gas").index(),
                    valueIndex: try ir.field(io, "value").index(),
                    hash: try er.field(eo, "hash").bytes32(),
                    logs: try er.field(eo, "logs").bytes32(),
                    expectException: try er.optionalField(eo, "expectException")?.string()
                )
            }
        }
        return post
    }
}

/// A JSON value with the path that leads to it, so that every error names
/// the field it is about.
private struct Reader {
    var location: String
    var value: Any = NSNull()

    func child(_ key: String, _ value: Any) -> Reader {
        Reader(location: location + "/" + key, value: value)
    }

    func fail(_ problem: String) -> FixtureError { FixtureError(location: location, problem: problem) }

    func object(_ v: Any?) throws -> [String: Any] {
        guard let o = v as? [String: Any] else { throw fail("expected an object") }
        return o
    }

    func array(_ v: Any?) throws -> [Any] {
        guard let a = v as? [Any] else { throw fail("expected an array") }
        return a
    }

    func field(_ o: [String: Any], _ key: String) throws -> Reader {
        guard let v = o[key] else { throw FixtureError(location: location, problem: "missing field \"\(key)\"") }
        return child(key, v)
    }

    func optionalField(_ o: [String: Any], _ key: String) throws -> Reader? {
        guard let v = o[key], !(v is NSNull) else { return nil }
        return child(key, v)
    }

    func string() throws -> String {
        guard let s = value as? String else { throw fail("expected a string") }
        return s
    }

    func hex<T>(_ parse: (String) throws(FixtureHexError) -> T) throws -> T {
        do {
            return try parse(try string())
        } catch let e as FixtureHexError {
            throw fail(e.description)
        }
    }

    func bytes() throws -> [UInt8] { try hex(FixtureHex.bytes) }
    func address() throws -> Address { try hex(FixtureHex.address) }
    func address(of text: String) throws -> Address {
        do { return try FixtureHex.address(text) } catch { throw fail(error.description) }
    }
    func bytes32() throws -> Bytes32 { try hex(FixtureHex.bytes32) }

    /// A quantity that may be wider than 256 bits (nil then).
    func quantity() throws -> UInt256? { try hex(FixtureHex.quantity) }

    /// A quantity that may be wider than 64 bits (nil then).
    func quantity64() throws -> UInt64? { try quantity()?.uint64IfFits }

    /// A quantity of the world (balances, slots) that must fit 256 bits.
    func uint256() throws -> UInt256 {
        guard let v = try quantity() else { throw fail("wider than 256 bits") }
        return v
    }
    func uint256(of text: String) throws -> UInt256 {
        do {
            guard let v = try FixtureHex.quantity(text) else { throw fail("wider than 256 bits") }
            return v
        } catch let e as FixtureHexError {
            throw fail(e.description)
        }
    }

    func uint64() throws -> UInt64 {
        guard let v = try quantity64() else { throw fail("wider than 64 bits") }
        return v
    }

    /// An array index: a JSON number, non-negative.
    func index() throws -> Int {
        guard let n = value as? NSNumber, let i = Int(exactly: n.doubleValue), i >= 0 else {
            throw fail("expected a non-negative integer index")
        }
        return i
    }
}
