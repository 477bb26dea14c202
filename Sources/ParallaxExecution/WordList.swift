/// A growable list of 64-bit words in manually managed memory, for the
/// per-worker scratch lists of the hot path (read-set entries, written
/// versions, interned keys).
///
/// A Swift `Array` stored in a class is reached through dynamic exclusivity
/// checks and copy-on-write uniqueness checks on every append; this list
/// lives inside memory the worker reaches through a pointer, so an append is
/// a compare, a store and an increment. The owner calls `deallocate()`.
struct WordList {
    private(set) var base: UnsafeMutablePointer<UInt64>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 32) {
        self.capacity = Swift.max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ word: UInt64) {
        if count == capacity { grow() }
        base[count] = word
        count += 1
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
        larger.update(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }

    @inline(__always)
    subscript(index: Int) -> UInt64 { base[index] }

    @inline(__always)
    mutating func removeAll() { count = 0 }

    /// Whether an even position (the first word of a pair) holds `word`.
    @inline(__always)
    func containsPairKey(_ word: UInt64) -> Bool {
        var position = 0
        while position < count {
            if base[position] == word { return true }
            position += 2
        }
        return false
    }

    var array: [UInt64] { Array(UnsafeBufferPointer(start: base, count: count)) }

    func deallocate() { base.deallocate() }
}
