import Parallax
import ParallaxWorkloads
import XCTest

/// Signed erc20 blocks and the reference the pipeline must reproduce:
/// decode, verify and execute each block sequentially, then commit.
final class SignedERC20 {
    let workload: ERC20Workload
    let signer: ERC20Signer
    /// Per account, the nonce its next envelope carries.
    private var nextNonce: [UInt64]

    init(accounts: Int, seed: UInt64) throws {
        var shape = WorkloadShape()
        shape.accounts = accounts
        shape.seed = seed
        workload = try ERC20Workload(shape)
        signer = ERC20Signer(accounts: accounts)
        nextNonce = Array(repeating: 0, count: accounts)
    }

    /// The envelopes of workload block `number`, each with its sender's
    /// next nonce (so all of them run when submitted in the order made).
    func envelopes(_ number: Int, transactions: Int) -> [[UInt8]] {
        workload.block(number, transactions: transactions).map { transaction in
            let transaction = transaction as! TokenTransaction
            let account = Int(transaction.sender.raw)
            defer { nextNonce[account] += 1 }
            return signer.envelope(transaction, nonce: nextNonce[account])
        }
    }

    /// The reference result of one block of envelopes on `store`: every
    /// envelope decoded with `SignedTransaction(decoding:)`, its signature
    /// checked one at a time with `Ed25519.verify`, its payload decoded, the
    /// valid ones executed under their signed fields by the sequential
    /// executor, then committed. The block's `rejected` holds the execution
    /// rejections only; the positions precheck must reject come second.
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
                  let envelope = try? TransactionEnvelope.parse(bytes),
                  let call = try? signed.unsigned.payload.withUnsafeBytes({ payload in
                      try decoder.decode(payload: payload, sender: signed.unsigned.sender, envelope: envelope)
                  })
            else {
                rejected.append(position)
                continue
            }
            transactions.append(AuthorizedTransaction(signed: SignedFields(envelope, sender: SenderKey(signed.unsigned.sender)), call: call))
            positions.append(position)
            hashes.append(signed.hash)
        }
        let output = SequentialExecutor().execute(transactions, on: store)
        let height = store.height.next
        try store.commit(output.stateDelta, height: height, expectedRoot: output.stateRoot)
        var included: [IncludedTransaction] = []
        var rejectedAtExecution: [Rejection] = []
        for ((position, hash), result) in zip(zip(positions, hashes), output.transactions) {
            if case .rejected(let reason) = result.status {
                rejectedAtExecution.append(Rejection(position: position, hash: hash, reason: .execution(reason)))
            } else {
                included.append(IncludedTransaction(position: position, hash: hash, output: result))
            }
        }
        return (CommittedBlock(height: height, stateRoot: output.stateRoot, included: included, rejected: rejectedAtExecution,
                               stateDelta: output.stateDelta), rejected)
    }
}

extension PackedMessages {
    init(envelopes: [[UInt8]]) {
        self.init()
        for envelope in envelopes { append(envelope) }
    }
}
