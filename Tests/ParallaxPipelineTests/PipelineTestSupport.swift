import Parallax
import XCTest

/// Signed erc20 blocks and the reference the pipeline must reproduce:
/// decode, verify and execute each block sequentially, then commit.
struct SignedERC20 {
    let workload: ERC20Workload
    let signer: ERC20Signer

    init(accounts: Int, seed: UInt64) throws {
        var shape = WorkloadShape()
        shape.accounts = accounts
        shape.seed = seed
        workload = try ERC20Workload(shape)
        signer = ERC20Signer(accounts: accounts)
    }

    /// The envelopes of workload block `number`.
    func envelopes(_ number: Int, transactions: Int) -> [[UInt8]] {
        workload.block(number, transactions: transactions).map { signer.envelope($0 as! TokenTransaction) }
    }

    /// The reference result of one block of envelopes on `store`: every
    /// envelope decoded with `SignedTransaction(decoding:)`, its signature
    /// checked one at a time with `Ed25519.verify`, its payload decoded, the
    /// valid ones executed by the sequential executor, then committed.
    func reference(_ envelopes: [[UInt8]], on store: InMemoryStateStore, chainID: ChainID) throws -> (CommittedBlock, [Int]) {
        let decoder = signer.decoder
        var transactions: [any Transaction] = []
        var positions: [Int] = []
        var hashes: [TransactionHash] = []
        var rejected: [Int] = []
        for (position, bytes) in envelopes.enumerated() {
            guard let signed = try? SignedTransaction(decoding: bytes),
                  signed.unsigned.chainID == chainID,
                  (try? Ed25519.verify(publicKey: signed.unsigned.sender.bytes, signature: signed.signature.bytes,
                                       message: signed.hash.digest.bytes)) == true,
                  let transaction = try? signed.unsigned.payload.withUnsafeBytes({ payload in
                      let envelope = try TransactionEnvelope.parse(bytes)
                      return try decoder.decode(payload: payload, sender: signed.unsigned.sender, envelope: envelope)
                  })
            else {
                rejected.append(position)
                continue
            }
            transactions.append(transaction)
            positions.append(position)
            hashes.append(signed.hash)
        }
        let output = SequentialExecutor().execute(transactions, on: store)
        let height = store.height.next
        try store.commit(output.stateDelta, height: height, expectedRoot: output.stateRoot)
        let included = zip(zip(positions, hashes), output.transactions).map {
            IncludedTransaction(position: $0.0, hash: $0.1, output: $1)
        }
        return (CommittedBlock(height: height, stateRoot: output.stateRoot, included: included, rejected: [],
                               stateDelta: output.stateDelta), rejected)
    }
}

extension PackedMessages {
    init(envelopes: [[UInt8]]) {
        self.init()
        for envelope in envelopes { append(envelope) }
    }
}
