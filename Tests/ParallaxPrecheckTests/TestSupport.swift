#if canImport(Glibc)
import Glibc
#endif
import COpenSSLCrypto
import ParallaxPrecheck

/// SplitMix64 (Steele, Lea, Flood 2014): a seeded generator whose seed the
/// tests print on failure, so any failing input can be regenerated.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    let seed: UInt64

    init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// Seeded from PX_TEST_SEED when set (to replay a failure), else at random.
    static func fromEnvironment() -> SeededGenerator {
        if let text = getenvString("PX_TEST_SEED"), let seed = UInt64(text) { return SeededGenerator(seed: seed) }
        return SeededGenerator(seed: UInt64.random(in: 0...UInt64.max))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        for index in result.indices { result[index] = UInt8(truncatingIfNeeded: next()) }
        return result
    }
}

private func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

/// OpenSSL's digest of `message` through EVP (the reference).
func openSSLDigest(_ algorithm: HashAlgorithm, _ message: some Collection<UInt8>) -> Digest32 {
    let md: OpaquePointer? = switch algorithm {
    case .sha256: EVP_sha256()
    case .sha3_256: EVP_sha3_256()
    case .keccak256: nil
    }
    precondition(md != nil, "OpenSSL 3.0 has no Keccak-256; compare SHA3-256 instead")
    var out = [UInt8](repeating: 0, count: 32)
    var size: UInt32 = 0
    let bytes = Array(message)
    let ok = bytes.withUnsafeBytes { raw in
        out.withUnsafeMutableBufferPointer { EVP_Digest(raw.baseAddress, raw.count, $0.baseAddress, &size, md, nil) }
    }
    precondition(ok == 1 && size == 32, "EVP_Digest failed")
    return Digest32(bytes: out)!
}

func hex(_ text: String) -> [UInt8] { try! Hex.decode(text) }
