#if canImport(Glibc)
import Glibc
#endif

/// A growable array of plain values in one manually managed allocation: the
/// storage of the trie's arenas.
/// Allocations are 64-byte aligned (cache lines). Huge pages were tried for
/// the big arenas and made builds slower (the kernel zeroes whole 2 MiB pages,
/// also under the unused tails of a build's reserved regions).
///
/// Unlike `Array`, reads and writes through `base` carry no uniqueness check,
/// so workers may write disjoint elements concurrently while nothing grows
/// the buffer (the hashing phase writes node references this way). The owner
/// (`HexaryTrie`) frees it in its `deinit`; the struct itself is never copied
/// into a second owner.
@usableFromInline
struct TrieBuffer<Element: BitwiseCopyable> {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = Swift.max(capacity, 16)
        base = TrieBuffer.allocate(self.capacity)
        count = 0
    }

    static func allocate(_ capacity: Int) -> UnsafeMutablePointer<Element> {
        let bytes = capacity * MemoryLayout<Element>.stride
        var raw: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            // Out of memory: as Swift's own allocations do.
            preconditionFailure("TrieBuffer: cannot allocate \(bytes) bytes")
        }
        return raw.bindMemory(to: Element.self, capacity: capacity)
    }

    @inlinable @inline(__always)
    subscript(_ index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    /// Appends `element`; returns its index.
    @inlinable @inline(__always) @discardableResult
    mutating func append(_ element: Element) -> Int {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: element)
        count += 1
        return count - 1
    }

    /// Appends `n` elements (left as they were in memory: the caller writes
    /// them); returns the index of the first.
    @inlinable
    mutating func appendUninitialized(_ n: Int) -> Int {
        if count + n > capacity { grow(to: count + n) }
        count += n
        return count - n
    }

    @usableFromInline
    mutating func grow(to needed: Int) {
        var newCapacity = Swift.max(capacity, 16)
        while newCapacity < needed { newCapacity *= 2 }
        let fresh = TrieBuffer.allocate(newCapacity)
        fresh.update(from: base, count: count)
        free(base)
        base = fresh
        capacity = newCapacity
    }

    mutating func reserve(_ total: Int) { if total > capacity { grow(to: total) } }

    mutating func removeAll() { count = 0 }

    func deallocate() { free(base) }
}
