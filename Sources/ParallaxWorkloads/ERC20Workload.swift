import ParallaxContracts
import ParallaxExecution

/// `erc20`: one token (number 0) held by every account.
///
/// Call mix (fractions of the block): 80% `transfer`, 8% `approve`, 9%
/// `transferFrom`, 1.5% `mint`, 1.5% `burn`. Accounts are drawn by the
/// shape's Zipf skew. Every account starts with 2^40 tokens and an
/// allowance of 2^40 to its successor (`(a + 1) % accounts`), which is the
/// spender of its `transferFrom`s and the one its `approve`s renew, so most
/// of them succeed while balances and allowances still run dry now and then
/// under skew. Account 0 is the minter: mints come from it and, like burns,
/// update the total supply, the token's one shared hot key.
public struct ERC20Workload: ContractWorkload {
    public let shape: WorkloadShape
    let accounts: AccountSampler
    let work: VMWork
    public var name: String { "erc20" }

    public static let token: UInt64 = 0
    public static let minter = Account(0)
    public static let initialBalance: UInt64 = 1 << 40
    static let tag: UInt64 = 2

    public init(_ shape: WorkloadShape) throws(WorkloadError) {
        try shape.validate()
        self.shape = shape
        accounts = try AccountSampler(shape)
        work = VMWork(nanoseconds: shape.workNanoseconds)
    }

    func spender(of owner: Account) -> Account { Account((owner.raw + 1) % UInt64(shape.accounts)) }

    func populate(_ entries: inout [StateKey: StateValue]) {
        populateNative(&entries)
        let token = ERC20Workload.token
        entries.reserveCapacity(entries.count + 2 * shape.accounts + 2)
        for raw in 0..<UInt64(shape.accounts) {
            let owner = Account(raw)
            entries[TokenLayout.balanceKey(token: token, owner)] = StateValue(uint64: ERC20Workload.initialBalance)
            entries[TokenLayout.allowanceKey(token: token, owner: owner, spender: spender(of: owner))] =
                StateValue(uint64: ERC20Workload.initialBalance)
        }
        entries[TokenLayout.totalSupplyKey(token: token)] = StateValue(uint64: ERC20Workload.initialBalance * UInt64(shape.accounts))
        entries[TokenLayout.minterKey(token: token)] = StateValue(uint64: ERC20Workload.minter.raw)
    }

    public func block(_ number: Int, transactions count: Int) -> [any Transaction] {
        var generator = generator(block: number, tag: ERC20Workload.tag)
        var result: [any Transaction] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let sender = accounts.draw(&generator)
            let amount = 1 + generator.next() % 100_000
            let roll = generator.next() % 1_000
            let call: TokenTransaction.Call
            let caller: Account
            switch roll {
            case 0..<800:
                caller = sender
                call = .transfer(to: shape.recipient(accounts.draw(&generator, otherThan: sender), sender: sender, &generator),
                                 amount: amount)
            case 800..<880:
                caller = sender
                call = .approve(spender: spender(of: sender), amount: 1 + generator.next() % (1 << 40))
            case 880..<970:
                // The sender is the owner drawn by skew; its successor spends.
                caller = spender(of: sender)
                call = .transferFrom(owner: sender, to: accounts.draw(&generator, otherThan: sender), amount: amount)
            case 970..<985:
                caller = ERC20Workload.minter
                call = .mint(to: sender, amount: amount)
            default:
                caller = sender
                call = .burn(amount: amount)
            }
            var transaction = TokenTransaction(token: ERC20Workload.token, sender: caller, call: call)
            transaction.supplyByDelta = shape.deltas
            // Hot keys only (see `P2PWorkload`).
            switch call {
            case .transfer(let to, _), .transferFrom(_, let to, _), .mint(let to, _):
                transaction.creditByDelta = shape.deltas && to == Account.deposit(shape.accounts)
            default: break
            }
            transaction.feeBeneficiary = shape.fee
            result.append(work.placed(transaction))
        }
        return result
    }
}
