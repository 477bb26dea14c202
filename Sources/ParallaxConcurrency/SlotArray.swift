import CParallaxCore

/// An owned array of cache-line-aligned slots of 64-bit atomic words, allocated
/// by the C shim (`px_slots_create`), on a NUMA node when one is asked for and
/// the machine has NUMA support, on the heap otherwise.
///
/// Each slot is one line (64 bytes) or an adjacent pair of lines (128 bytes);
/// neighbouring slots never share a line, so workers that own different slots
/// never false-share. Words are accessed through the `px_atomic_*` functions of
/// the shim with an explicit memory order; `word(_:_:)` gives their address.
public final class SlotArray: @unchecked Sendable {
    /// Slot size: one cache line, or two for adjacent-line prefetchers.
    public enum LineSize: Int, Sendable {
        case line = 64
        case linePair = 128
    }

    /// Where the memory came from.
    public enum Placement: Equatable, Sendable {
        case heap
        case node(NodeID)
    }

    public let count: Int
    public let lineSize: LineSize
    public let placement: Placement
    /// `lineSize`-aligned base address; valid for the lifetime of the array.
    public let base: UnsafeMutableRawPointer
    @usableFromInline let handle: OpaquePointer

    /// Zero-filled slots. `node == nil` or a node the machine lacks means heap
    /// placement (the fallback is reported in `placement`, never silent).
    public init(count: Int, lineSize: LineSize = .line, node: NodeID? = nil) throws(SlotArrayError) {
        guard count > 0 else { throw .invalidCount(count) }
        guard let handle = px_slots_create(count, lineSize.rawValue, node?.rawValue ?? PX_NODE_ANY) else {
            throw .outOfMemory(bytes: count.multipliedReportingOverflow(by: lineSize.rawValue).partialValue)
        }
        self.handle = handle
        self.count = count
        self.lineSize = lineSize
        self.base = px_slots_base(handle)
        let placedNode = px_slots_node(handle)
        self.placement = placedNode >= 0 ? .node(NodeID(placedNode)) : .heap
    }

    deinit { px_slots_destroy(handle) }

    /// 64-bit words per slot (8 or 16).
    @inlinable public var wordsPerSlot: Int { lineSize.rawValue / 8 }

    /// Address of word `word` of slot `slot`. Bounds are checked in debug builds.
    @inlinable
    public func word(_ slot: Int, _ word: Int = 0) -> UnsafeMutablePointer<UInt64> {
        assert(slot >= 0 && slot < count && word >= 0 && word < wordsPerSlot, "slot word out of bounds")
        return (base + slot &* lineSize.rawValue).assumingMemoryBound(to: UInt64.self) + word
    }
}

public enum SlotArrayError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidCount(Int)
    case outOfMemory(bytes: Int)

    public var description: String {
        switch self {
        case .invalidCount(let count): "slot array needs at least one slot, got \(count)"
        case .outOfMemory(let bytes): "could not allocate \(bytes) bytes of aligned slot memory"
        }
    }
}

/// NUMA facts from libnuma, for tests and diagnostics.
public enum NUMA {
    /// Whether the kernel and libnuma support NUMA placement here.
    public static var isAvailable: Bool { px_numa_available() != 0 }
    /// Highest node number (0 without NUMA support).
    public static var maxNode: NodeID { NodeID(px_numa_max_node()) }
    /// The node that holds the page of `address`, if the kernel can tell.
    public static func node(of address: UnsafeRawPointer) -> NodeID? {
        let node = px_numa_node_of(address)
        return node >= 0 ? NodeID(node) : nil
    }
}
