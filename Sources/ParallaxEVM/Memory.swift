// A frame's byte-addressed memory (Yellow Paper 9.1): zero-initialized, grown
// in 32-byte words, expansion charged 3 gas per word plus words^2 / 512
// (Yellow Paper appendix G, C_mem) on the highest word touched.
//
// Offsets and sizes arrive as 256-bit words; anything past 2^32 bytes cannot
// be paid for with any gas a block carries, and growth is capped at
// `maxBytes` (1 GiB, 2^41 gas of expansion alone): both are an out-of-gas
// halt, never an allocation attempt.

import ParallaxEthereum

final class Memory {
    static let maxBytes = 1 << 30

    private(set) var base: UnsafeMutableRawPointer
    /// Bytes in use, a multiple of 32 (MSIZE).
    private(set) var count = 0
    private var capacity: Int

    init() {
        capacity = 4096
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 32)
    }

    deinit { base.deallocate() }

    @inline(__always)
    static func cost(words: Int) -> Int64 {
        let w = Int64(words)
        return 3 * w + w * w / 512
    }

    /// Makes [offset, offset + size) addressable, charging expansion gas.
    /// false: out of gas. A zero size touches nothing.
    @inline(__always)
    func expand(_ offset: UInt256, _ size: UInt256, _ gas: inout Int64) -> Bool {
        if size.isZero { return true }
        guard let o = smallInt(offset), let s = smallInt(size) else { return false }
        return expand(end: o + s, &gas)
    }

    @inline(__always)
    func expand(end: Int, _ gas: inout Int64) -> Bool {
        if end <= count { return true }
        return grow(end: end, &gas)
    }

    private func grow(end: Int, _ gas: inout Int64) -> Bool {
        let newWords = (end + 31) / 32
        let delta = Memory.cost(words: newWords) - Memory.cost(words: count / 32)
        gas -= delta
        if gas < 0 || newWords * 32 > Memory.maxBytes { return false }
        let newCount = newWords * 32
        if newCount > capacity {
            var newCapacity = capacity * 2
            while newCapacity < newCount { newCapacity *= 2 }
            let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 32)
            newBase.copyMemory(from: base, byteCount: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }
        (base + count).initializeMemory(as: UInt8.self, repeating: 0, count: newCount - count)
        count = newCount
        return true
    }

    /// The bytes at [offset, offset + size), which must be expanded already.
    func bytes(_ offset: Int, _ size: Int) -> [UInt8] {
        if size == 0 { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base + offset, count: size))
    }

    /// Copies `size` bytes of `source` from `sourceOffset` to `offset`,
    /// zero-filling what lies past the source's end (CALLDATACOPY, CODECOPY,
    /// EXTCODECOPY). The range must be expanded already.
    func copy(from source: UnsafeRawBufferPointer, sourceOffset: UInt256, to offset: Int, size: Int) {
        if size == 0 { return }
        let available: Int
        let start: Int
        if let s = smallInt(sourceOffset), s < source.count {
            start = s
            available = min(size, source.count - s)
        } else {
            start = 0
            available = 0
        }
        if available > 0, let src = source.baseAddress {
            (base + offset).copyMemory(from: src + start, byteCount: available)
        }
        if available < size {
            (base + offset + available).initializeMemory(as: UInt8.self, repeating: 0, count: size - available)
        }
    }
}

/// The word as an Int when below 2^32 (memory offsets and sizes), else nil.
@inline(__always)
func smallInt(_ v: UInt256) -> Int? {
    (v.l1 | v.l2 | v.l3) == 0 && v.l0 <= UInt64(UInt32.max) ? Int(v.l0) : nil
}
