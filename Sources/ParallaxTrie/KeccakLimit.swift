import ParallaxTopology
#if canImport(Glibc)
import Glibc
#endif

/// The physical limit a trie's hashing is measured against: the batched
/// Keccak kernel alone hashing messages of given lengths (a trie's node-size
/// mix, `TrieHasher.messageLengths`), already encoded, split evenly over a
/// pool's workers, in batches sorted by length as the hasher's levels are.
public enum KeccakLimit {
    /// The best of `rounds` runs, in seconds, of hashing messages of
    /// `lengths` bytes on `pool`'s workers (nil: the caller's thread).
    public static func seconds(lengths: [Int], pool: WorkerPool?, kernel: TrieKernel, rounds: Int = 3,
                               batch: Int = 8192) throws(TrieError) -> Double {
        guard kernel.isAvailable else { throw .kernelUnavailable(kernel.rawValue) }
        let workers = max(1, pool?.count ?? 1)
        let sorted = lengths.sorted()
        // Deal the sorted lengths round-robin: every worker gets the same mix.
        let shares: [[Int]] = (0..<workers).map { worker in Swift.stride(from: worker, to: sorted.count, by: workers).map { sorted[$0] } }
        let buffers = shares.map { share in LimitBuffer(lengths: share) }
        var best = Double.infinity
        for _ in 0..<max(1, rounds) {
            let start = now()
            let work: @Sendable (Int) -> Void = { worker in buffers[worker].hash(kernel: kernel, batch: batch) }
            if let pool, workers > 1 {
                do { try pool.broadcast { context in work(context.index) } } catch { for w in 0..<workers { work(w) } }
            } else {
                work(0)
            }
            best = min(best, now() - start)
        }
        return best
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}

/// One worker's messages (pseudo-random bytes) and digests.
final class LimitBuffer: @unchecked Sendable {
    let bytes: UnsafeMutablePointer<UInt8>
    let pointers: [UnsafePointer<UInt8>?]
    let lengths: [Int]
    let digests: UnsafeMutableRawPointer

    init(lengths: [Int]) {
        let total = lengths.reduce(0, +)
        bytes = .allocate(capacity: max(1, total))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in 0..<total {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
        }
        var offset = 0
        var pointers: [UnsafePointer<UInt8>?] = []
        for length in lengths {
            pointers.append(UnsafePointer(bytes + offset))
            offset += length
        }
        self.pointers = pointers
        self.lengths = lengths
        digests = .allocate(byteCount: 32 * max(1, lengths.count), alignment: 64)
    }

    deinit {
        bytes.deallocate()
        digests.deallocate()
    }

    func hash(kernel: TrieKernel, batch: Int) {
        pointers.withUnsafeBufferPointer { p in
            lengths.withUnsafeBufferPointer { l in
                var start = 0
                while start < lengths.count {
                    let n = min(batch, lengths.count - start)
                    kernel.hash(p.baseAddress! + start, l.baseAddress! + start, n, digests + 32 * start)
                    start += n
                }
            }
        }
    }
}
