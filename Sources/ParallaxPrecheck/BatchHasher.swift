import CParallaxHash

/// Hashes many messages per call with the SIMD kernels of the C shim.
///
/// Each call hands the whole batch to one kernel (`px_hash.h`): the
/// multi-buffer kernels hash 4 or 8 messages per instruction stream and refill
/// a lane as soon as its message ends, so a batch may mix any lengths. The
/// hasher keeps two scratch arrays (message pointers and lengths) that grow to
/// the largest batch seen and are reused, so a call allocates nothing once
/// warm; digests go straight into the caller's buffer.
///
/// A hasher is a value owned by one thread; give each worker its own.
public struct BatchHasher {
    public let algorithm: HashAlgorithm
    /// The kernel every call uses, or nil for automatic dispatch.
    public let kernel: HashKernel?

    private var pointers: [UnsafePointer<UInt8>?] = []
    private var lengths: [Int] = []

    /// A hasher that dispatches on the CPU's features at each call.
    public init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        kernel = nil
    }

    /// A hasher that always runs `kernel` (for tests and comparisons).
    public init(_ algorithm: HashAlgorithm, kernel: HashKernel) throws(HashKernelUnavailable) {
        guard algorithm.kernels.contains(kernel), kernel.isAvailable(for: algorithm) else {
            throw HashKernelUnavailable(kernel: kernel, algorithm: algorithm)
        }
        self.algorithm = algorithm
        self.kernel = kernel
    }

    /// Hashes `messages[i]` into `digests[i]` for every i.
    /// - Precondition: `digests.count == messages.count`.
    public mutating func hash(_ messages: UnsafeBufferPointer<UnsafeRawBufferPointer>,
                              into digests: UnsafeMutableBufferPointer<Digest32>) {
        precondition(digests.count == messages.count, "BatchHasher: \(messages.count) messages but \(digests.count) digests")
        prepare(messages.count)
        for (index, message) in messages.enumerated() {
            pointers[index] = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
            lengths[index] = message.count
        }
        run(count: messages.count, into: digests)
    }

    /// Hashes every message of `messages` into `digests`, which is resized to
    /// `messages.count` (its capacity is reused across calls).
    public mutating func hash(_ messages: PackedMessages, into digests: inout [Digest32]) {
        let count = messages.count
        if digests.count != count {
            digests.removeAll(keepingCapacity: true)
            digests.append(contentsOf: repeatElement(.zero, count: count))
        }
        prepare(count)
        messages.bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for index in 0..<count {
                let end = messages.ends[index]
                pointers[index] = bytes.baseAddress.map { $0 + start }
                lengths[index] = end - start
                start = end
            }
            digests.withUnsafeMutableBufferPointer { run(count: count, into: $0) }
        }
    }

    /// The digests of `messages`, in order (convenience: copies into a packed
    /// buffer first).
    public mutating func hash<C: Collection>(_ messages: C) -> [Digest32] where C.Element: Collection<UInt8> {
        var digests: [Digest32] = []
        hash(PackedMessages(messages), into: &digests)
        return digests
    }

    /// The digest of one message.
    public static func digest(_ algorithm: HashAlgorithm, of message: some Collection<UInt8>) -> Digest32 {
        var hasher = BatchHasher(algorithm)
        return hasher.hash(CollectionOfOne(message))[0]
    }

    private mutating func prepare(_ count: Int) {
        if pointers.count < count {
            pointers.append(contentsOf: repeatElement(nil, count: count - pointers.count))
            lengths.append(contentsOf: repeatElement(0, count: count - lengths.count))
        }
    }

    /// Runs the kernel on the first `count` prepared messages.
    private func run(count: Int, into digests: UnsafeMutableBufferPointer<Digest32>) {
        guard count > 0, let base = digests.baseAddress else { return }
        let algorithm = self.algorithm, kernel = self.kernel
        pointers.withUnsafeBufferPointer { pointers in
            lengths.withUnsafeBufferPointer { lengths in
                // Digest32 is 32 bytes in digest order (see its comment), so its
                // buffer is the C array of 32-byte rows the kernels write.
                base.withMemoryRebound(to: DigestRow.self, capacity: count) { out in
                    let msgs = pointers.baseAddress!
                    let lens = lengths.baseAddress!
                    guard let kernel else {
                        switch algorithm {
                        case .keccak256: px_keccak256_batch(msgs, lens, count, out)
                        case .sha3_256: px_sha3_256_batch(msgs, lens, count, out)
                        case .sha256: px_sha256_batch(msgs, lens, count, out)
                        }
                        return
                    }
                    let status: Int32 = switch algorithm {
                    case .keccak256: px_keccak256_batch_with(kernel.cValue, msgs, lens, count, out)
                    case .sha3_256: px_sha3_256_batch_with(kernel.cValue, msgs, lens, count, out)
                    case .sha256: px_sha256_batch_with(kernel.cValue, msgs, lens, count, out)
                    }
                    // The initializer checked the CPU, which does not change.
                    precondition(status == 0, "BatchHasher: \(algorithm) kernel \(kernel) unavailable")
                }
            }
        }
    }
}

/// The C kernels' output row, `uint8_t[32]`, as Swift imports it.
typealias DigestRow = (
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
)
