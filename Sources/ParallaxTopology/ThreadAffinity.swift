import CParallaxTopology

/// Binding the calling thread to processing units, and reading back what the
/// kernel actually applied (`sched_getaffinity`), so that pinning is verified
/// rather than assumed: a cgroup or cpuset can silently narrow a request.
public enum ThreadAffinity {
    /// Words of the mask read back: CPUs below 1024, glibc's CPU_SETSIZE.
    static let maskWords = 16

    /// Binds the calling thread to `pu` alone.
    public static func pinCurrentThread(to pu: PUIndex) throws(AffinityError) {
        let code = px_thread_pin_self(pu.rawValue)
        guard code == 0 else { throw .cannotPin(pu, errno: code) }
    }

    /// The CPUs the calling thread may run on, as the kernel reports them.
    public static func current() throws(AffinityError) -> CPUSet {
        var words = [UInt64](repeating: 0, count: maskWords)
        let code = words.withUnsafeMutableBufferPointer { px_thread_affinity_self($0.baseAddress, $0.count) }
        guard code == 0 else { throw .cannotRead(errno: code) }
        var set = CPUSet()
        for (index, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                set.insert(PUIndex(Int32(index * 64 + bits.trailingZeroBitCount)))
                bits &= bits - 1
            }
        }
        return set
    }

    /// Pins the calling thread to `pu` and checks that the kernel reports exactly `{pu}`.
    public static func pinCurrentThreadVerified(to pu: PUIndex) throws(AffinityError) {
        try pinCurrentThread(to: pu)
        let applied = try current()
        guard applied == CPUSet([pu]) else { throw .notApplied(requested: pu, actual: applied) }
    }
}

/// Why a thread could not be pinned to its PU.
public enum AffinityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// pthread_setaffinity_np failed (EINVAL: no such CPU, or not allowed to this process).
    case cannotPin(PUIndex, errno: Int32)
    /// pthread_getaffinity_np failed, so the pin could not be checked.
    case cannotRead(errno: Int32)
    /// The kernel accepted the request but reports a different mask.
    case notApplied(requested: PUIndex, actual: CPUSet)

    public var description: String {
        switch self {
        case .cannotPin(let pu, let code): "cannot pin a thread to CPU \(pu.rawValue) (errno \(code))"
        case .cannotRead(let code): "cannot read the thread's CPU affinity (errno \(code))"
        case .notApplied(let pu, let actual): "pinned to CPU \(pu.rawValue) but the kernel reports CPUs \(actual.cpulist)"
        }
    }
}
