import ParallaxContracts
import ParallaxExecution

/// The knobs every built-in contract workload takes.
public struct WorkloadShape: Sendable, Equatable {
    /// Number of accounts (`Account(0)` to `Account(accounts - 1)`), all funded.
    public var accounts: Int = 10_000
    /// Zipf exponent of account draws (senders, recipients, traders,
    /// participants): 0 is uniform; about 1 is a realistic popularity skew.
    public var zipf: Double = 0
    /// Share of traffic sent to the one hot pool (amm) or the hot
    /// collection's mint (nft); ignored by the other workloads.
    public var hotShare: Double = 0
    /// Calibrated busy work per transaction standing in for VM cost.
    public var workNanoseconds: Int = 0
    public var seed: UInt64 = 1
    /// Every transaction's fee is credited to `Account.beneficiary`'s
    /// native balance (as on real chains, where a block's fees go to its
    /// proposer).
    public var feeBeneficiary = true
    /// Commutative delta writes for fee credits, transfer credits and the
    /// ERC-20 total supply; false: plain read-modify-writes (same results,
    /// for side-by-side measurement).
    public var deltas = true
    /// p2p and erc20: share of transfers whose recipient is the one hot
    /// deposit address `Account.deposit(accounts)`.
    public var depositShare: Double = 0

    public init() {}

    func validate() throws(WorkloadError) {
        guard accounts >= 2 else { throw WorkloadError(parameter: "accounts", reason: "must be at least 2, got \(accounts)") }
        guard (0...1).contains(hotShare) else {
            throw WorkloadError(parameter: "hot-share", reason: "must be between 0 and 1, got \(hotShare)")
        }
        guard (0...1).contains(depositShare) else {
            throw WorkloadError(parameter: "deposit-share", reason: "must be between 0 and 1, got \(depositShare)")
        }
        guard workNanoseconds >= 0 else {
            throw WorkloadError(parameter: "work-ns", reason: "must be 0 or more, got \(workNanoseconds)")
        }
    }
}

extension WorkloadShape {
    /// The fee destination of every generated transaction.
    public var fee: FeeBeneficiary? {
        feeBeneficiary ? FeeBeneficiary(key: NativeToken.balanceKey(.beneficiary), byDelta: deltas) : nil
    }

    /// The recipient of a transfer drawn as `drawn`: the deposit address
    /// for a `depositShare` of them (never the sender itself).
    func recipient(_ drawn: Account, sender: Account, _ generator: inout SplitMix64) -> Account {
        guard depositShare > 0 else { return drawn }
        let deposit = Account.deposit(accounts)
        let roll = Double(generator.next() >> 11) * 0x1p-53
        return roll < depositShare && sender != deposit ? deposit : drawn
    }
}

/// Native currency every account starts with: enough for a long run of
/// fees and payments, small enough that sums never overflow 64 bits.
public let initialNativeBalance: UInt64 = 1 << 50

/// What the built-in workloads share: an account sampler, the VM work, a
/// per-block generator, and initial state built by adding entries to one
/// dictionary (so that `MixedWorkload` can merge its parts).
protocol ContractWorkload: Workload {
    var shape: WorkloadShape { get }
    /// Adds this workload's initial entries (funded native balances
    /// included) to `entries`.
    func populate(_ entries: inout [StateKey: StateValue])
}

extension ContractWorkload {
    public func initialState() -> InMemoryState {
        var entries: [StateKey: StateValue] = [:]
        populate(&entries)
        return InMemoryState(entries)
    }

    /// Funds every account with native currency (the fee payer of every
    /// built-in transaction is its sender's native balance).
    func populateNative(_ entries: inout [StateKey: StateValue]) {
        entries.reserveCapacity(entries.count + shape.accounts)
        for raw in 0..<UInt64(shape.accounts) {
            entries[NativeToken.balanceKey(Account(raw))] = StateValue(uint64: initialNativeBalance)
        }
    }

    /// The generator of block `number` of workload `tag` (independent
    /// streams per workload, so a mixed block draws each part as the pure
    /// workload would).
    func generator(block number: Int, tag: UInt64) -> SplitMix64 {
        var mixer = SplitMix64(seed: shape.seed ^ tag &* 0xA076_1D64_78BD_642F)
        return SplitMix64(seed: mixer.next() ^ UInt64(truncatingIfNeeded: number) &* 0x9E37_79B9_7F4A_7C15)
    }
}

/// Draws accounts by the shape's Zipf exponent; rank r is `Account(r)`.
struct AccountSampler: Sendable {
    let zipf: ZipfSampler

    init(_ shape: WorkloadShape) throws(WorkloadError) {
        zipf = try ZipfSampler(count: shape.accounts, exponent: shape.zipf)
    }

    func draw(_ generator: inout SplitMix64) -> Account { Account(UInt64(zipf.sample(&generator))) }

    /// An account other than `other`.
    func draw(_ generator: inout SplitMix64, otherThan other: Account) -> Account {
        let account = draw(&generator)
        return account != other ? account : Account((other.raw + 1) % UInt64(zipf.count))
    }
}
