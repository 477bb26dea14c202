/// The Ethereum mainnet hard forks, in activation order.
///
/// Every fork-dependent rule in the EVM and the transaction checks is a
/// comparison on this order (`fork >= .berlin`), so a rule is written once at
/// the fork that introduced it and holds for every later one.
public enum Fork: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case frontier, homestead, tangerineWhistle, spuriousDragon, byzantium, constantinople, petersburg
    case istanbul, berlin, london, paris, shanghai, cancun

    /// The fork a state-test `post` section names ("EIP150", "Merge", ...).
    public init?(stateTestName: String) {
        switch stateTestName {
        case "Frontier": self = .frontier
        case "Homestead": self = .homestead
        case "EIP150": self = .tangerineWhistle
        case "EIP158": self = .spuriousDragon
        case "Byzantium": self = .byzantium
        case "Constantinople": self = .constantinople
        case "ConstantinopleFix", "Petersburg": self = .petersburg
        case "Istanbul": self = .istanbul
        case "Berlin": self = .berlin
        case "London": self = .london
        case "Merge", "Paris": self = .paris
        case "Shanghai": self = .shanghai
        case "Cancun": self = .cancun
        default: return nil
        }
    }

    /// The name the state tests use for this fork.
    public var stateTestName: String {
        switch self {
        case .frontier: "Frontier"
        case .homestead: "Homestead"
        case .tangerineWhistle: "EIP150"
        case .spuriousDragon: "EIP158"
        case .byzantium: "Byzantium"
        case .constantinople: "Constantinople"
        case .petersburg: "ConstantinopleFix"
        case .istanbul: "Istanbul"
        case .berlin: "Berlin"
        case .london: "London"
        case .paris: "Merge"
        case .shanghai: "Shanghai"
        case .cancun: "Cancun"
        }
    }

    public var description: String { stateTestName }

    public static func < (lhs: Fork, rhs: Fork) -> Bool { lhs.rawValue < rhs.rawValue }
}
