// NodeID, SlotArray and MPMCQueue are part of this module's API.
@_exported import ParallaxConcurrency

/// Typed numbers for the objects of a machine, so that no bare `Int` with a
/// meaning crosses a module boundary (`NodeID`, the NUMA node number, lives in
/// `ParallaxConcurrency` because memory placement needs it below this layer).
///
/// `PUIndex` is the kernel's CPU number (what `sched_setaffinity` and the
/// cpulist syntax use). `CoreID`, `L3ID` and `PackageID` are hwloc logical
/// indexes: dense and unique over the machine, unlike OS core numbers, which
/// repeat in every package.

/// A processing unit (hardware thread), by its OS index.
public struct PUIndex: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// The PU with OS index (CPU number) `rawValue`.
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public static func < (lhs: PUIndex, rhs: PUIndex) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "cpu\(rawValue)" }
}

/// A core, by its logical index in the topology.
public struct CoreID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// The identifier with index `rawValue`.
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public static func < (lhs: CoreID, rhs: CoreID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "core\(rawValue)" }
}

/// An L3 cache (the group of cores that share it), by its logical index.
public struct L3ID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// The identifier with index `rawValue`.
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public static func < (lhs: L3ID, rhs: L3ID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "l3-\(rawValue)" }
}

/// A package (socket), by its logical index.
public struct PackageID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// The identifier with index `rawValue`.
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public static func < (lhs: PackageID, rhs: PackageID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "package\(rawValue)" }
}

/// A worker of a placement plan: its position in the plan, 0 ..< plan.workers.count.
public struct WorkerID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The identifier with index `rawValue`.
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: WorkerID, rhs: WorkerID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "worker\(rawValue)" }
}
