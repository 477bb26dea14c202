/// A NUMA node, as the operating system numbers it (`/sys/devices/system/node/nodeN`).
///
/// Defined in the primitives layer because memory placement (slot arrays, queue
/// cells) takes a node before any topology exists; `ParallaxTopology` uses the
/// same type.
public struct NodeID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// The node numbered `rawValue` by the operating system.
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "node\(rawValue)" }
}
