import ParallaxExecution

/// `mixed`: a blend of the contract workloads in one block, in proportion
/// to weights (`p2p=3,erc20=3,amm=2,nft=1,supply-chain=1` by default).
///
/// The parts share the shape (accounts, skew, hot share, VM work, seed) and
/// their key spaces are disjoint but for native balances, which every part
/// funds identically. Each part gets the same share of every block (its
/// weight's share of the positions, remainders to the largest fractions),
/// so a part's blocks have one size, as the `nft` transfer schedule needs.
/// Block `n` interleaves each part's own block `n` in a shuffled order that
/// keeps each part's internal order (nonces, custody steps).
public struct MixedWorkload: ContractWorkload {
    public struct Weights: Sendable, Equatable {
        public var p2p = 3.0
        public var erc20 = 3.0
        public var amm = 2.0
        public var nft = 1.0
        public var supplyChain = 1.0

        public init() {}

        /// Parses `name=weight` pairs separated by commas (names as
        /// `--workload` spells them); unnamed parts get weight 0.
        public init(parsing text: String) throws(WorkloadError) {
            p2p = 0; erc20 = 0; amm = 0; nft = 0; supplyChain = 0
            for pair in text.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let weight = Double(parts[1]), weight.isFinite, weight >= 0 else {
                    throw WorkloadError(parameter: "mix", reason: "expected name=weight with a weight of 0 or more, got '\(pair)'")
                }
                switch parts[0] {
                case "p2p": p2p = weight
                case "erc20": erc20 = weight
                case "amm": amm = weight
                case "nft": nft = weight
                case "supply-chain": supplyChain = weight
                default:
                    throw WorkloadError(parameter: "mix", reason: "unknown workload '\(parts[0])' (p2p, erc20, amm, nft, supply-chain)")
                }
            }
        }

        var list: [Double] { [p2p, erc20, amm, nft, supplyChain] }
    }

    public let shape: WorkloadShape
    public let weights: Weights
    let parts: [any ContractWorkload]
    public var name: String { "mixed" }

    static let tag: UInt64 = 6

    public init(_ shape: WorkloadShape, weights: Weights = Weights()) throws(WorkloadError) {
        try shape.validate()
        let list = weights.list
        guard list.allSatisfy({ $0.isFinite && $0 >= 0 }), list.reduce(0, +) > 0 else {
            throw WorkloadError(parameter: "mix", reason: "weights must be 0 or more with a positive sum")
        }
        self.shape = shape
        self.weights = weights
        parts = [try P2PWorkload(shape), try ERC20Workload(shape), try AMMWorkload(shape), try NFTWorkload(shape),
                 try SupplyChainWorkload(shape)]
    }

    func populate(_ entries: inout [StateKey: StateValue]) {
        for (part, weight) in zip(parts, weights.list) where weight > 0 { part.populate(&entries) }
    }

    /// Positions of each part in a block of `count`: shares of the weights,
    /// rounded down, the remainder to the parts with the largest fractions.
    func sizes(_ count: Int) -> [Int] {
        let list = weights.list
        let total = list.reduce(0, +)
        let exact = list.map { Double(count) * $0 / total }
        var sizes = exact.map { Int($0) }
        let byFraction = exact.indices.sorted { (exact[$0] - Double(sizes[$0]), -$0) > (exact[$1] - Double(sizes[$1]), -$1) }
        for part in byFraction.prefix(count - sizes.reduce(0, +)) { sizes[part] += 1 }
        return sizes
    }

    public func block(_ number: Int, transactions count: Int) -> [any Transaction] {
        var generator = generator(block: number, tag: MixedWorkload.tag)
        let sizes = sizes(count)
        var order: [Int] = []
        order.reserveCapacity(count)
        for part in parts.indices { order += repeatElement(part, count: sizes[part]) }
        if order.count > 1 {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        }
        let blocks = parts.indices.map { sizes[$0] > 0 ? parts[$0].block(number, transactions: sizes[$0]) : [] }
        var next = [Int](repeating: 0, count: parts.count)
        var result: [any Transaction] = []
        result.reserveCapacity(count)
        for part in order {
            result.append(blocks[part][next[part]])
            next[part] += 1
        }
        return result
    }
}
