import ParallaxConcurrency

/// A per-worker bump allocator of 64-bit words in cache-line-aligned C
/// chunks (on the worker's NUMA node when given one).
///
/// Only its owner allocates; other threads read words it handed out once
/// they were published through an atomic with release semantics. Memory is
/// never reused within a block (`reset()` between blocks, when no thread
/// holds a pointer), so a published record stays immutable and readable
/// without locks. Chunks are kept across blocks.
final class WordArena {
    let chunkWords: Int
    let node: NodeID?
    private var chunks: [SlotArray] = []
    private var chunkIndex = -1
    private var cursor: UnsafeMutablePointer<UInt64>?
    private var remaining = 0
    /// Keeps other workers' objects off this one's lines (see `LinePadding`).
    private let padding = LinePadding()

    init(chunkWords: Int, node: NodeID?) {
        self.chunkWords = chunkWords
        self.node = node
    }

    /// `count` contiguous words, 8-byte aligned (32-byte aligned when every
    /// request is a multiple of 4 words).
    @inline(__always)
    func allocate(_ count: Int) -> UnsafeMutablePointer<UInt64> {
        if count > remaining { nextChunk(atLeast: count) }
        let result = cursor.unsafelyUnwrapped
        cursor = result + count
        remaining -= count
        return result
    }

    private func nextChunk(atLeast count: Int) {
        chunkIndex += 1
        if chunkIndex < chunks.count, chunks[chunkIndex].count * 8 >= count {
            cursor = chunks[chunkIndex].word(0)
            remaining = chunks[chunkIndex].count * 8
            return
        }
        let words = Swift.max(chunkWords, count)
        let chunk: SlotArray
        do {
            chunk = try SlotArray(count: (words + 7) / 8, lineSize: .line, node: node)
        } catch {
            fatalError("execution arena: \(error)")
        }
        if chunkIndex < chunks.count { chunks[chunkIndex] = chunk } else { chunks.append(chunk) }
        cursor = chunk.word(0)
        remaining = chunk.count * 8
    }

    /// Forgets every allocation. Call while no thread holds a pointer.
    func reset() {
        chunkIndex = -1
        cursor = nil
        remaining = 0
    }
}
