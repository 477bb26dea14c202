/// A per-worker append-only store of the values that executions write into
/// the multi-version memory, addressed by 32-bit value ids.
///
/// A value id is `worker << 24 | index`; `deletedValue` marks a deletion.
/// Values live in chunks of 4,096 whose addresses sit in a fixed table per
/// worker, so a reader on another thread finds a value with two dependent
/// loads and no lock. Only the owning worker appends; a reader learns an id
/// from a version word published with release semantics after the value
/// and its chunk pointer were written, so plain memory accesses suffice.
/// Values are released by `reset()`, between blocks.
final class ValueArena {
    static let chunkShift = 12
    static let chunkSize = 1 << chunkShift
    static let maxChunks = (1 << 24) / chunkSize
    static let deletedValue: UInt32 = 0xFFFF_FFFF
    static let maxWorkers = 255

    let worker: UInt32
    /// `maxChunks` chunk pointers; shared with readers through `directory`.
    let chunkTable: UnsafeMutablePointer<UnsafeMutablePointer<StateValue>?>
    private(set) var count = 0
    /// Keeps other workers' objects off this one's lines (see `LinePadding`).
    private let padding = LinePadding()

    init(worker: Int) {
        precondition(worker < ValueArena.maxWorkers, "at most \(ValueArena.maxWorkers) workers")
        self.worker = UInt32(worker)
        chunkTable = .allocate(capacity: ValueArena.maxChunks)
        chunkTable.initialize(repeating: nil, count: ValueArena.maxChunks)
    }

    deinit {
        reset()
        for chunk in 0..<ValueArena.maxChunks {
            guard let pointer = chunkTable[chunk] else { break }
            pointer.deallocate()
        }
        chunkTable.deallocate()
    }

    /// Stores `value` and returns its id (`deletedValue` for nil).
    @inline(__always)
    func append(_ value: StateValue?) -> UInt32 {
        guard let value else { return ValueArena.deletedValue }
        let chunk = count >> ValueArena.chunkShift
        precondition(chunk < ValueArena.maxChunks, "more than 2^24 values written by one worker in one block")
        if chunkTable[chunk] == nil { chunkTable[chunk] = .allocate(capacity: ValueArena.chunkSize) }
        (chunkTable[chunk].unsafelyUnwrapped + (count & (ValueArena.chunkSize - 1))).initialize(to: value)
        count += 1
        return worker << 24 | UInt32(count - 1)
    }

    /// Releases every value. Call while no thread reads.
    func reset() {
        var index = 0
        while index < count {
            let chunk = index >> ValueArena.chunkShift
            let run = Swift.min(ValueArena.chunkSize, count - index)
            chunkTable[chunk].unsafelyUnwrapped.deinitialize(count: run)
            index += run
        }
        count = 0
    }
}

/// The chunk tables of every worker's `ValueArena`, for lock-free lookup of
/// a value id from any thread.
struct ValueDirectory {
    let tables: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<StateValue>?>>

    init(_ arenas: [ValueArena]) {
        tables = .allocate(capacity: Swift.max(1, arenas.count))
        for (index, arena) in arenas.enumerated() { (tables + index).initialize(to: arena.chunkTable) }
    }

    func deallocate() { tables.deallocate() }

    /// The value of `id` (nil for `deletedValue`).
    @inline(__always)
    func value(_ id: UInt32) -> StateValue? {
        if id == ValueArena.deletedValue { return nil }
        let index = Int(id & 0xFF_FFFF)
        let chunk = tables[Int(id >> 24)][index >> ValueArena.chunkShift].unsafelyUnwrapped
        return chunk[index & (ValueArena.chunkSize - 1)]
    }
}
