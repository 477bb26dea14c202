// A counter contract of our own, run through Parallax's block pipeline:
// each account owns a counter; a transaction adds to the sender's counter
// and, when asked, to a shared "total" counter (a contended key Block-STM
// has to order). Adding more than 1000 at once reverts. Each key signs its
// envelopes with nonces 0, 1, 2, ...; the pipeline runs each nonce once, so
// a captured envelope submitted again (the replay in block 2) is refused.
import Parallax

/// The state key of `owner`'s counter (owner 0 is the shared total).
func counterKey(_ owner: UInt64) -> StateKey { StateKey(0x636f_756e_7465_7273, 0, 0, owner) }

/// Adds `amount` to the sender's counter and optionally to the total.
struct AddToCounter: Transaction {
    let sender: UInt64
    let amount: UInt64
    let alsoTotal: Bool

    struct TooMuch: Error, CustomStringConvertible {
        let amount: UInt64
        var description: String { "cannot add \(amount) at once (limit 1000)" }
    }

    // Under the pipeline the envelope's signed gas limit replaces this one;
    // this chain charges no fee (`feePolicy` keeps its default, `.none`).
    var gasLimit: UInt64 { 10_000 }

    func execute(in context: ExecutionContext) throws {
        guard amount <= 1000 else { throw TooMuch(amount: amount) }
        let own = try context.read(counterKey(sender))?.uint64Value ?? 0
        try context.write(counterKey(sender), StateValue(uint64: own + amount))
        if alsoTotal {
            let total = try context.read(counterKey(0))?.uint64Value ?? 0
            try context.write(counterKey(0), StateValue(uint64: total + amount))
        }
    }
}

/// Payload: amount (8 bytes little-endian) ‖ also-total flag (1 byte). The
/// sender is the account whose key signed (a directory of keys).
struct CounterDecoder: PayloadDecoder {
    let accounts: [PublicKey: UInt64]

    struct BadPayload: Error, CustomStringConvertible {
        let count: Int
        var description: String { "a counter payload is 9 bytes, got \(count)" }
    }

    struct UnknownSender: Error, CustomStringConvertible {
        var description: String { "the signing key has no account" }
    }

    func decode(payload: UnsafeRawBufferPointer, sender: PublicKey, envelope: TransactionEnvelope) throws -> any Transaction {
        guard payload.count == 9 else { throw BadPayload(count: payload.count) }
        let amount = UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self))
        guard let account = accounts[sender] else { throw UnknownSender() }
        return AddToCounter(sender: account, amount: amount, alsoTotal: payload[8] != 0)
    }
}

let chain = ChainID(7)
let keys = (0..<4).map { Ed25519SigningKey(number: UInt64($0)) }
// Accounts 1...4 (0 is the total).
let directory = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1.publicKey, UInt64($0 + 1)) })

func envelope(from key: Ed25519SigningKey, nonce: UInt64, amount: UInt64, alsoTotal: Bool) -> [UInt8] {
    var payload = (0..<8).map { UInt8(truncatingIfNeeded: amount >> UInt64(8 * $0)) }
    payload.append(alsoTotal ? 1 : 0)
    let unsigned = UnsignedTransaction(chainID: chain, sender: key.publicKey, nonce: Nonce(nonce), gasLimit: GasLimit(10_000),
                                       fee: Fee(0), payload: payload)
    return key.sign(unsigned).encoded()
}

/// Per key, the nonce of its next envelope.
var nonces = [UInt64](repeating: 0, count: keys.count)
var blocks: [PackedMessages] = []
var firstTransfer: [UInt8] = []
for number in 0..<3 {
    var block = PackedMessages()
    for (index, key) in keys.enumerated() {
        let bytes = envelope(from: key, nonce: nonces[index], amount: UInt64(10 * (number + 1) + index), alsoTotal: index % 2 == 0)
        nonces[index] += 1
        if number == 0 && index == 0 { firstTransfer = bytes }
        block.append(bytes)
    }
    block.append(envelope(from: keys[0], nonce: nonces[0], amount: 5_000, alsoTotal: true))  // reverts: too much
    nonces[0] += 1                                                                           // (and spends its nonce)
    var forged = envelope(from: keys[1], nonce: nonces[1], amount: 1, alsoTotal: false)
    forged[forged.count - 1] ^= 1                           // rejected: bad signature (its nonce stays unspent)
    block.append(forged)
    if number == 1 { block.append(firstTransfer) }          // rejected: a replay of block 1's first transfer
    blocks.append(block)
}

let store = InMemoryStateStore()
// The async face: `submit` suspends while the pipeline is full, committed
// blocks arrive in height order on `pipeline.committed`.
let pipeline = try AsyncBlockPipeline(store: store, decoder: CounterDecoder(accounts: directory), chainID: chain,
                                      configuration: PipelineConfiguration(precheckThreads: 1, executeThreads: 2))
let consumer = Task { () async -> [CommittedBlock] in
    var received: [CommittedBlock] = []
    do throws(PipelineError) {
        for try await block in pipeline.committed { received.append(block) }
    } catch {
        print("pipeline stopped: \(error)")
    }
    return received
}
for block in blocks { try await pipeline.submit(block) }
try await pipeline.finish()
let committed = await consumer.value
precondition(committed.count == blocks.count, "\(committed.count) of \(blocks.count) blocks committed")
for block in committed {
    print("block \(block.height.rawValue)  root \(block.stateRoot)")
    for transaction in block.included {
        print("  tx \(transaction.position) \(transaction.hash.description.prefix(16))…  \(transaction.output.status)  gas \(transaction.output.gasUsed)")
    }
    for rejection in block.rejected {
        print("  tx \(rejection.position) rejected: \(rejection.reason)")
    }
}
print("total counter: \(store.read(counterKey(0))?.uint64Value ?? 0)")
let replay = committed[1].rejected.last!
precondition(replay.reason.code == NonceRejection.tooLowCode, "the replay was not refused: \(replay.reason)")
// Account 1 added 10, 20 and 30 (its 5,000s reverted): the replayed 10 did not count again.
let counter = store.read(counterKey(1))?.uint64Value ?? 0
precondition(counter == 60, "account 1's counter is \(counter), not 60")
print("replay refused: tx \(replay.position) of block 2; account 1's counter is \(counter) = 10 + 20 + 30")
