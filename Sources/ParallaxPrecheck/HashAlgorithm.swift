import CParallaxCore
import CParallaxHash

/// The digest functions of the batched kernels.
public enum HashAlgorithm: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Keccak-256 with the original Keccak padding (domain byte 0x01), as
    /// Ethereum uses it; the transaction hash of the envelope.
    case keccak256
    /// SHA3-256 (FIPS 202): the Keccak-256 sponge with domain byte 0x06.
    case sha3_256 = "sha3-256"
    /// SHA-256 (FIPS 180-4).
    case sha256

    public var description: String { rawValue }

    /// The kernels that exist for this algorithm, narrowest first.
    public var kernels: [HashKernel] {
        switch self {
        case .keccak256, .sha3_256: [.scalar, .avx2, .avx512]
        case .sha256: [.scalar, .avx2, .shaNI]
        }
    }
}

/// One implementation of a `HashAlgorithm` in the C shim.
///
/// Automatic dispatch picks the best kernel that `px_cpu_features()` allows at
/// each call, so `px_cpu_restrict` lowers it; naming a kernel forces it
/// whenever the CPU has the instructions, whatever the restriction (tests
/// compare every kernel).
public enum HashKernel: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Portable C, one message at a time.
    case scalar
    /// AVX2 multi-buffer: Keccak 4 lanes, SHA-256 8 lanes.
    case avx2
    /// AVX-512F multi-buffer: Keccak 8 lanes.
    case avx512
    /// SHA-NI, four SHA-256 messages interleaved.
    case shaNI = "sha-ni"

    public var description: String { rawValue }

    var cValue: px_hash_impl {
        switch self {
        case .scalar: px_hash_impl_scalar
        case .avx2: px_hash_impl_avx2
        case .avx512: px_hash_impl_avx512
        case .shaNI: px_hash_impl_sha_ni
        }
    }

    init(_ value: px_hash_impl) {
        switch value {
        case px_hash_impl_avx2: self = .avx2
        case px_hash_impl_avx512: self = .avx512
        case px_hash_impl_sha_ni: self = .shaNI
        default: self = .scalar
        }
    }

    /// Whether this kernel can run `algorithm` here: it exists for it and the
    /// CPU has the instructions (`px_cpu_restrict` does not apply to a
    /// kernel named explicitly).
    public func isAvailable(for algorithm: HashAlgorithm) -> Bool {
        switch algorithm {
        case .keccak256, .sha3_256: px_keccak256_available(cValue) != 0
        case .sha256: px_sha256_available(cValue) != 0
        }
    }

    /// The kernel automatic dispatch uses now for large batches of `algorithm`.
    public static func selected(for algorithm: HashAlgorithm) -> HashKernel {
        switch algorithm {
        case .keccak256, .sha3_256: HashKernel(px_keccak256_selected())
        case .sha256: HashKernel(px_sha256_selected())
        }
    }
}

/// A kernel was named that cannot run here.
public struct HashKernelUnavailable: Error, Equatable, Sendable, CustomStringConvertible {
    public let kernel: HashKernel
    public let algorithm: HashAlgorithm

    public init(kernel: HashKernel, algorithm: HashAlgorithm) {
        self.kernel = kernel
        self.algorithm = algorithm
    }

    public var description: String {
        algorithm.kernels.contains(kernel)
            ? "\(algorithm) kernel \(kernel) needs instructions this CPU lacks"
            : "\(algorithm) has no \(kernel) kernel"
    }
}
