import ParallaxExecution

/// `nft`: `collections` collections (default 8), each with `preminted`
/// tokens (default twice the accounts, between 64 and 16,384) owned by accounts drawn uniformly by a hash of
/// (collection, token id), and a supply cap (default 1,000,000).
///
/// Each transaction is, with probability `hotShare`, a mint in collection 0
/// (the hot drop: every such mint bumps one counter); otherwise, with
/// probability `mintShare` (default 0.1), a mint in a uniformly drawn
/// collection; otherwise a transfer of a uniformly drawn pre-minted token
/// by its initial owner to an account drawn by the shape's Zipf skew. The
/// generator cannot know where earlier blocks moved a token, so a transfer
/// of a token that has moved reverts (`notOwner`), a share that grows with
/// the number of blocks run (the cost of block-independent generation).
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

    public func block(_ number: Int, transactions count: Int) -> [any Transaction] {
        var generator = generator(block: number, tag: NFTWorkload.tag)
        var result: [any Transaction] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            if generator.chance(shape.hotShare) {
                result.append(CollectibleTransaction(collection: 0, sender: accounts.draw(&generator), call: .mint, work: work))
            } else if generator.chance(mintShare) {
                let collection = generator.next() % UInt64(collections)
                result.append(CollectibleTransaction(collection: collection, sender: accounts.draw(&generator), call: .mint, work: work))
            } else {
                let collection = generator.next() % UInt64(collections)
                let tokenId = generator.next() % UInt64(preminted)
                let owner = initialOwner(collection: collection, tokenId: tokenId)
                result.append(CollectibleTransaction(
                    collection: collection, sender: owner,
                    call: .transfer(tokenId: tokenId, to: accounts.draw(&generator, otherThan: owner)), work: work))
            }
        }
        return result
    }
}
