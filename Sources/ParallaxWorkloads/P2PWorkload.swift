import ParallaxContracts
import ParallaxExecution

/// `p2p`: native payments between accounts drawn by the shape's Zipf skew
/// (sender and recipient independently, never the same account).
///
/// Amounts are uniform in 1...1,000,000 against balances of 2^50, so
/// payments revert only when a test drains an account on purpose. Nonces are
/// `(block + 1) << 32 | position`, increasing along the block and from block
/// to block, so every payment's nonce is valid whatever ran before.
public struct P2PWorkload: ContractWorkload {
    public let shape: WorkloadShape
    let accounts: AccountSampler
    let work: VMWork
    public var name: String { "p2p" }

    static let tag: UInt64 = 1

    public init(_ shape: WorkloadShape) throws(WorkloadError) {
        try shape.validate()
        self.shape = shape
        accounts = try AccountSampler(shape)
        work = VMWork(nanoseconds: shape.workNanoseconds)
    }

    func populate(_ entries: inout [StateKey: StateValue]) { populateNative(&entries) }

    public func block(_ number: Int, transactions count: Int) -> [any Transaction] {
        var generator = generator(block: number, tag: P2PWorkload.tag)
        var result: [any Transaction] = []
        result.reserveCapacity(count)
        let epoch = UInt64(truncatingIfNeeded: number &+ 1) << 32
        for position in 0..<count {
            let sender = accounts.draw(&generator)
            let recipient = accounts.draw(&generator, otherThan: sender)
            var payment = PaymentTransaction(
                sender: sender, recipient: recipient, amount: 1 + generator.next() % 1_000_000,
                nonce: epoch | UInt64(position))
            payment.recipient = shape.recipient(recipient, sender: sender, &generator)
            // Deltas where they pay: a hot key. A cold one costs a dependency-free
            // check plus a fold, more than the read-modify-write it replaces.
            payment.creditByDelta = shape.deltas && payment.recipient == Account.deposit(shape.accounts)
            payment.feeBeneficiary = shape.fee
            result.append(work.placed(payment))
        }
        return result
    }
}
