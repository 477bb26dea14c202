import ParallaxContracts
import ParallaxExecution

/// `nft`: `collections` collections (default 8), each with `preminted`
/// tokens (default twice the accounts, between 64 and 16,384) owned by
/// accounts drawn uniformly by a hash of (collection, token id), and a
/// supply cap (default 1,000,000).
///
/// A block of `count` transactions holds exactly `round(count * hotShare)`
/// mints in collection 0 (the hot drop: every such mint bumps one counter),
/// `round(rest * mintShare)` mints (default share 0.1) in uniformly drawn
/// collections, and transfers of pre-minted tokens for the rest, in a
/// shuffled order.
///
/// Transfers follow a schedule that makes every owner computable without
/// replaying earlier blocks: the k-th transfer of block b has position
/// `p = b * transfersPerBlock + k` and moves token `t = p mod T` (of the
/// `T = collections * preminted`, interleaved over collections) for the
/// `j = p / T`-th time; its sender is the token's owner after `j` transfers
/// (the initial owner, or the recipient of transfer `j - 1`) and its
/// recipient a deterministic draw by the shape's Zipf skew from `(t, j)`.
/// So when blocks run in order from 0 with one block size, as the harness
/// and the tests run them, every transfer is by the current owner; a block
/// run out of that order (the harness's discarded warm-up blocks) has
/// transfers that revert `notOwner`.
public struct NFTWorkload: ContractWorkload {
    public let shape: WorkloadShape
    public let collections: Int
    public let preminted: Int
    public let cap: UInt64
    public let mintShare: Double
    let accounts: AccountSampler
    let work: VMWork
    public var name: String { "nft" }

    static let tag: UInt64 = 4

    public init(_ shape: WorkloadShape, collections: Int = 8, preminted: Int? = nil, cap: UInt64 = 1_000_000,
                mintShare: Double = 0.1) throws(WorkloadError) {
        try shape.validate()
        guard collections >= 1 else { throw WorkloadError(parameter: "collections", reason: "must be at least 1, got \(collections)") }
        let preminted = preminted ?? Swift.min(16_384, Swift.max(64, 2 * shape.accounts))
        guard preminted >= 1 else { throw WorkloadError(parameter: "preminted", reason: "must be at least 1, got \(preminted)") }
        guard cap >= UInt64(preminted) else {
            throw WorkloadError(parameter: "cap", reason: "must be at least the \(preminted) pre-minted tokens, got \(cap)")
        }
        guard (0...1).contains(mintShare) else { throw WorkloadError(parameter: "mint-share", reason: "must be between 0 and 1, got \(mintShare)") }
        self.shape = shape
        self.collections = collections
        self.preminted = preminted
        self.cap = cap
        self.mintShare = mintShare
        accounts = try AccountSampler(shape)
        work = VMWork(nanoseconds: shape.workNanoseconds)
    }

    /// The owner of a pre-minted token in the initial state.
    public func initialOwner(collection: UInt64, tokenId: UInt64) -> Account {
        var mixer = SplitMix64(seed: collection << 40 ^ tokenId ^ shape.seed)
        return Account(mixer.next() % UInt64(shape.accounts))
    }

    func populate(_ entries: inout [StateKey: StateValue]) {
        populateNative(&entries)
        entries.reserveCapacity(entries.count + 2 * collections * preminted)
        for collection in 0..<UInt64(collections) {
            entries[CollectibleLayout.capKey(collection: collection)] = StateValue(uint64: cap)
            entries[CollectibleLayout.nextIdKey(collection: collection)] = StateValue(uint64: UInt64(preminted))
            var holdings: [Account: UInt64] = [:]
            for tokenId in 0..<UInt64(preminted) {
                let owner = initialOwner(collection: collection, tokenId: tokenId)
                entries[CollectibleLayout.ownerKey(collection: collection, tokenId: tokenId)] = StateValue(uint64: owner.raw)
                holdings[owner, default: 0] += 1
            }
            for (owner, count) in holdings {
                entries[CollectibleLayout.holdingsKey(collection: collection, owner)] = StateValue(uint64: count)
            }
        }
    }

    /// The pre-minted token at schedule index `t`, interleaved over collections.
    func token(_ t: UInt64) -> (collection: UInt64, tokenId: UInt64) {
        (t % UInt64(collections), t / UInt64(collections))
    }

    /// The recipient of the `j`-th transfer (from 0) of token index `t`.
    func recipient(_ t: UInt64, transfer j: UInt64) -> Account {
        var generator = SplitMix64(seed: shape.seed ^ (t &* 0x9E37_79B9_7F4A_7C15) ^ (j &* 0xC2B2_AE3D_27D4_EB4F))
        return accounts.draw(&generator)
    }

    /// The owner of token index `t` after `j` scheduled transfers.
    func owner(_ t: UInt64, after j: UInt64) -> Account {
        guard j > 0 else {
            let (collection, tokenId) = token(t)
            return initialOwner(collection: collection, tokenId: tokenId)
        }
        return recipient(t, transfer: j - 1)
    }

    enum Kind { case transfer, hotMint, mint }

    /// How many transactions of a block of `count` are hot mints, other mints and transfers.
    func plan(_ count: Int) -> (hotMints: Int, mints: Int, transfers: Int) {
        let hot = Int((Double(count) * shape.hotShare).rounded())
        let mints = Int((Double(count - hot) * mintShare).rounded())
        return (hot, mints, count - hot - mints)
    }

    public func block(_ number: Int, transactions count: Int) -> [any Transaction] {
        var generator = generator(block: number, tag: NFTWorkload.tag)
        let (hotMints, mints, transfers) = plan(count)
        var kinds = [Kind](repeating: .transfer, count: transfers)
        kinds += [Kind](repeating: .hotMint, count: hotMints)
        kinds += [Kind](repeating: .mint, count: mints)
        if kinds.count > 1 {
            for i in stride(from: kinds.count - 1, to: 0, by: -1) { kinds.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        }
        let tokens = UInt64(collections * preminted)
        var position = UInt64(truncatingIfNeeded: number) &* UInt64(transfers)
        var result: [any Transaction] = []
        result.reserveCapacity(count)
        for kind in kinds {
            switch kind {
            case .hotMint:
                result.append(withFee(CollectibleTransaction(collection: 0, sender: accounts.draw(&generator), call: .mint)))
            case .mint:
                let collection = generator.next() % UInt64(collections)
                result.append(withFee(CollectibleTransaction(collection: collection, sender: accounts.draw(&generator), call: .mint)))
            case .transfer:
                let t = position % tokens
                let j = position / tokens
                position &+= 1
                let (collection, tokenId) = token(t)
                result.append(withFee(CollectibleTransaction(
                    collection: collection, sender: owner(t, after: j),
                    call: .transfer(tokenId: tokenId, to: recipient(t, transfer: j)))))
            }
        }
        return result
    }

    private func withFee(_ transaction: CollectibleTransaction) -> any Transaction {
        var transaction = transaction
        transaction.feeBeneficiary = shape.fee
        return work.placed(transaction)
    }
}
