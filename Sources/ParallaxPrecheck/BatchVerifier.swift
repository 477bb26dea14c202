import CParallaxCore
import CParallaxEd25519

/// Verifies many Ed25519 signatures at once under the rule of `Ed25519`, with
/// per-signature verdicts identical to `Ed25519.verdict`.
///
/// Algorithm (see CSupport/CParallaxEd25519/px_ed25519_verify.c): groups of up to
/// `PX_ED25519_CHUNK` signatures (`PX_ED25519_CHUNK_BUCKETS` on the AVX2 path,
/// where groups of 256 or more use the bucket method) are checked with one
/// multi-scalar multiplication of the random linear combination
/// `[8](sum z_i ([S_i]B - R_i - [h_i]A_i)) = 0`; a failing group is bisected,
/// so one bad signature costs its neighbours about two extra group checks per
/// halving and never their verdicts. `px_ed25519_preferred_batch` says how
/// many signatures per batch suit this CPU's path best.
///
/// Storage: keys, signatures and messages are appended into three contiguous
/// arenas and message boundaries into an offset array, so a batch allocates
/// nothing per signature; `removeAll(keepingCapacity:)` reuses the arenas for
/// the next batch. Not thread-safe: give each worker its own verifier.
public struct Ed25519BatchVerifier: Sendable {
    private var keys: [UInt8] = []
    private var signatures: [UInt8] = []
    private var messages: [UInt8] = []
    private var offsets: [Int] = [0]
    private var codes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 64, messageBytes: Int = 64 * 32) {
        keys.reserveCapacity(capacity * Ed25519.publicKeyLength)
        signatures.reserveCapacity(capacity * Ed25519.signatureLength)
        messages.reserveCapacity(messageBytes)
        offsets.reserveCapacity(capacity + 1)
        codes.reserveCapacity(capacity)
    }

    /// Signatures appended since the last `removeAll`.
    public var count: Int { offsets.count - 1 }

    /// Adds one signature; throws (and adds nothing) if a length is wrong.
    public mutating func append(
        publicKey: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer
    ) throws(SignatureError) {
        try Ed25519.checkLengths(publicKey: publicKey.count, signature: signature.count)
        keys.append(contentsOf: publicKey)
        signatures.append(contentsOf: signature)
        messages.append(contentsOf: message)
        offsets.append(messages.count)
    }

    public mutating func append(publicKey: [UInt8], signature: [UInt8], message: [UInt8]) throws(SignatureError) {
        try Ed25519.checkLengths(publicKey: publicKey.count, signature: signature.count)
        keys.append(contentsOf: publicKey)
        signatures.append(contentsOf: signature)
        messages.append(contentsOf: message)
        offsets.append(messages.count)
    }

    /// Forgets the appended signatures, keeping the arenas' capacity by default.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        keys.removeAll(keepingCapacity: keepingCapacity)
        signatures.removeAll(keepingCapacity: keepingCapacity)
        messages.removeAll(keepingCapacity: keepingCapacity)
        offsets.removeAll(keepingCapacity: keepingCapacity)
        offsets.append(0)
        codes.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Verifies every appended signature with coefficients seeded from
    /// libsodium's CSPRNG (`BatchSeedSource`: a generator with storage, so that
    /// concurrent verifiers do not share the one address a zero-sized
    /// generator passed `inout` gets); the verdicts are in append order.
    public mutating func verify() -> Verdicts {
        var generator = BatchSeedSource()
        return verify(using: &generator)
    }

    /// Which code path decodes points and runs the multi-scalar
    /// multiplication: `.best` uses AVX-512 IFMA where `px_cpu_features()`
    /// reports it, else AVX2 where it reports that; `.avx2` uses AVX2 where the
    /// features report it, even on an IFMA CPU (the portable path otherwise);
    /// `.portable` uses neither. Verdicts are the same; tests compare them.
    public enum Dispatch: Sendable {
        case best
        case avx2
        case portable

        /// The `px_cpu_feature` bits the C verifier is given.
        var features: UInt32 {
            switch self {
            case .best: px_cpu_features()
            case .avx2: px_cpu_features() & px_cpu_avx2.rawValue
            case .portable: 0
            }
        }
    }

    /// Verifies with coefficients derived from 32 bytes of `generator`. The
    /// verdicts do not depend on the generator; tests pass seeded ones to show it.
    public mutating func verify<G: RandomNumberGenerator>(using generator: inout G, dispatch: Dispatch = .best) -> Verdicts {
        var seed = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        seed.0 = generator.next(); seed.1 = generator.next()
        seed.2 = generator.next(); seed.3 = generator.next()
        let n = count
        codes.removeAll(keepingCapacity: true)
        codes.append(contentsOf: repeatElement(UInt8(Ed25519.Verdict.equationFails.rawValue), count: n))
        let rc = withUnsafeBytes(of: &seed) { seedBytes in
            keys.withUnsafeBufferPointer { k in
                signatures.withUnsafeBufferPointer { s in
                    messages.withUnsafeBufferPointer { m in
                        offsets.withUnsafeBufferPointer { o in
                            codes.withUnsafeMutableBufferPointer { v in
                                px_ed25519_verify_batch_with(
                                    n, k.baseAddress, s.baseAddress, m.baseAddress, o.baseAddress,
                                    seedBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), v.baseAddress,
                                    dispatch.features)
                            }
                        }
                    }
                }
            }
        }
        precondition(rc == 0, "px_ed25519_verify_batch could not allocate its scratch space")
        return Verdicts(codes: codes)
    }

    /// The verdicts of one `verify` call, in append order (a view of one array).
    public struct Verdicts: RandomAccessCollection, Sendable {
        fileprivate let codes: [UInt8]
        public var startIndex: Int { 0 }
        public var endIndex: Int { codes.count }
        public subscript(position: Int) -> Ed25519.Verdict { Ed25519.Verdict(code: codes[position]) }
        /// `true` iff every signature is valid.
        public var allValid: Bool { codes.allSatisfy { $0 == Ed25519.Verdict.valid.rawValue } }
    }
}
