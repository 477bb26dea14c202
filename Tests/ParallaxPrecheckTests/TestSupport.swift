#if canImport(Glibc)
import Glibc
#endif
import COpenSSLCrypto
import ParallaxPrecheck
@_exported import ParallaxTestSupport


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
