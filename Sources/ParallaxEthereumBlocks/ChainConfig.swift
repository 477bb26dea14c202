// Which rules a block runs under: the fork schedule of a chain (by block
// number up to the merge, by timestamp from Shanghai), its chain id, and the
// irregular state change of the DAO fork.
//
// Mainnet's schedule is go-ethereum's `params.MainnetChainConfig`
// (params/config.go): Homestead 1,150,000; DAO 1,920,000; EIP-150 (Tangerine
// Whistle) 2,463,000; EIP-155/158 (Spurious Dragon) 2,675,000; Byzantium
// 4,370,000; Constantinople and Petersburg 7,280,000; Istanbul 9,069,000;
// Muir Glacier 9,200,000; Berlin 12,244,000; London 12,965,000; Arrow Glacier
// 13,773,000; Gray Glacier 15,050,000; the merge at terminal total difficulty
// 5.875e22, first reached by block 15,537,394 (the first post-merge block);
// Shanghai at timestamp 1,681,338,455; Cancun at 1,710,338,135. The glacier
// forks only delay the difficulty bomb, which a block executor does not
// compute, so they map to the EVM fork before them.

import ParallaxEthereum

/// A chain's fork schedule and the constants its blocks execute under.
public struct EthereumChainConfig: Sendable, Equatable {
    /// The chain id (`CHAINID`, EIP-155 signatures).
    public var chainID: UInt64
    /// First block of each fork activated by number, in `Fork` order up to
    /// London; a fork absent here is active from genesis if every later
    /// one listed is, and never otherwise.
    public var forkBlocks: [Fork: UInt64]
    /// The first block after the merge (Paris rules: no block reward,
    /// PREVRANDAO); nil: never.
    public var mergeBlock: UInt64?
    /// Forks activated by timestamp (Shanghai, Cancun).
    public var forkTimes: [Fork: UInt64]
    /// The block of the DAO fork's irregular state change; nil: none.
    public var daoForkBlock: UInt64?

    public init(chainID: UInt64, forkBlocks: [Fork: UInt64], mergeBlock: UInt64?, forkTimes: [Fork: UInt64],
                daoForkBlock: UInt64?) {
        self.chainID = chainID
        self.forkBlocks = forkBlocks
        self.mergeBlock = mergeBlock
        self.forkTimes = forkTimes
        self.daoForkBlock = daoForkBlock
    }

    /// Ethereum mainnet.
    public static let mainnet = EthereumChainConfig(
        chainID: 1,
        forkBlocks: [
            .frontier: 0, .homestead: 1_150_000, .tangerineWhistle: 2_463_000, .spuriousDragon: 2_675_000,
            .byzantium: 4_370_000, .constantinople: 7_280_000, .petersburg: 7_280_000, .istanbul: 9_069_000,
            .berlin: 12_244_000, .london: 12_965_000,
        ],
        mergeBlock: 15_537_394,
        forkTimes: [.shanghai: 1_681_338_455, .cancun: 1_710_338_135],
        daoForkBlock: 1_920_000)

    /// The fork of the block with this number and timestamp: the latest
    /// whose activation it has reached.
    public func fork(number: UInt64, timestamp: UInt64) -> Fork {
        var fork = Fork.frontier
        for candidate in Fork.allCases {
            let active: Bool
            if let time = forkTimes[candidate] {
                active = timestamp >= time && (mergeBlock.map { number >= $0 } ?? false)
            } else if candidate == .paris {
                active = mergeBlock.map { number >= $0 } ?? false
            } else if let block = forkBlocks[candidate] {
                active = number >= block
            } else {
                active = false
            }
            if active { fork = candidate }
        }
        return fork
    }

    /// The block reward of a proof-of-work block (Yellow Paper 11.3; EIP-649
    /// from Byzantium, EIP-1234 from Constantinople); zero from the merge.
    public static func blockReward(_ fork: Fork) -> UInt256 {
        let ether = UInt256(1_000_000_000_000_000_000 as UInt64)
        switch fork {
        case .frontier, .homestead, .tangerineWhistle, .spuriousDragon: return UInt256(5) &* ether
        case .byzantium: return UInt256(3) &* ether
        case .constantinople, .petersburg, .istanbul, .berlin, .london: return UInt256(2) &* ether
        case .paris, .shanghai, .cancun: return .zero
        }
    }
}
