// Precompiled contracts (Yellow Paper appendix E and the EIPs that add them),
// all of Cancun's: 0x01 ecrecover (libsecp256k1 recovery), 0x02 SHA-256 (the
// project's kernel `px_sha256_batch`), 0x03 RIPEMD-160, 0x04 identity, 0x05
// modexp (EIP-198, priced by EIP-2565 from Berlin on; GMP), 0x06-0x08
// alt_bn128 add, mul and pairing check (EIP-196/197, EIP-1108 prices from
// Istanbul on), 0x09 blake2f (EIP-152), 0x0a KZG point evaluation
// (EIP-4844). The gas rules and input framing live here and in
// PrecompilesModexp.swift / PrecompilesCurves.swift; the arithmetic lives in
// the C target CParallaxPrecompiles. A precompile address a later fork adds
// and this EVM lacks throws `EVMError.precompileNotImplemented`, so that no
// result is ever silently wrong.
//
// A precompile that cannot pay its gas, or whose input the EIP rejects,
// fails and consumes all of it; an ecrecover of an invalid signature
// succeeds with empty output.

import CParallaxHash
import CParallaxPrecompiles
import CSecp256k1
import ParallaxEthereum

enum PrecompileResult {
    case success(gasUsed: Int64, output: [UInt8])
    case failure
}

struct Precompile {
    let index: UInt64
    let fork: Fork

    init?(address: Address, fork: Fork) {
        guard address.hi == 0, address.mid == 0, address.lo >= 1 else { return nil }
        let count: UInt64 =
            fork >= .cancun ? 10 : fork >= .istanbul ? 9 : fork >= .byzantium ? 8 : 4
        guard address.lo <= count else { return nil }
        index = address.lo
        self.fork = fork
    }

    /// The precompile addresses of `fork` (warm from Berlin on, EIP-2929).
    static func addresses(_ fork: Fork) -> [Address] {
        let count: UInt64 = fork >= .cancun ? 10 : fork >= .istanbul ? 9 : fork >= .byzantium ? 8 : 4
        return (1...count).map { Address(hi: 0, mid: 0, lo: $0) }
    }

    func run(_ input: [UInt8], gas: Int64) throws -> PrecompileResult {
        let words = Int64((input.count + 31) / 32)
        func charge(_ cost: Int64, _ output: () -> [UInt8]) -> PrecompileResult {
            cost > gas ? .failure : .success(gasUsed: cost, output: output())
        }
        switch index {
        case 1: return charge(3000) { ecrecover(input) }
        case 2: return charge(60 + 12 * words) { sha256(input) }
        case 3: return charge(600 + 120 * words) { [UInt8](repeating: 0, count: 12) + RIPEMD160.hash(input) }
        case 4: return charge(15 + 3 * words) { input }
        case 5: return modexp(input, gas: gas)
        case 6: return bn254Add(input, gas: gas)
        case 7: return bn254Mul(input, gas: gas)
        case 8: return bn254Pairing(input, gas: gas)
        case 9: return blake2f(input, gas: gas)
        case 10: return pointEvaluation(input, gas: gas)
        default: throw EVMError.precompileNotImplemented(Address(hi: 0, mid: 0, lo: index))
        }
    }

    /// `count` bytes of `input` from `offset`, zero-filled past its end: how
    /// every precompile reads a fixed-size field of an input that may be short
    /// (or cut long, EIP-196).
    func padded(_ input: [UInt8], from offset: Int, count: Int) -> [UInt8] {
        if offset == 0, input.count == count { return input }
        var out = [UInt8](repeating: 0, count: count)
        if offset < input.count {
            let n = min(count, input.count - offset)
            out.withUnsafeMutableBufferPointer { dst in
                input.withUnsafeBufferPointer { src in
                    dst.baseAddress!.update(from: src.baseAddress! + offset, count: n)
                }
            }
        }
        return out
    }

    func sha256(_ input: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        input.withUnsafeBufferPointer { buffer in
            var message: UnsafePointer<UInt8>? = buffer.baseAddress
            var length = buffer.count
            out.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &message) { messages in
                    raw.baseAddress!.withMemoryRebound(
                        to: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                             UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                             UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                             UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8).self,
                        capacity: 1
                    ) { row in
                        messages.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 1) { msgs in
                            px_sha256_batch(msgs, &length, 1, row)
                        }
                    }
                }
            }
        }
        return out
    }

    /// ecrecover(hash, v, r, s): v must be the word 27 or 28; r and s in
    /// [1, n-1] (libsecp256k1's parser rejects overflow, recovery rejects
    /// zero). Output: the address left-padded to 32 bytes, or nothing.
    private func ecrecover(_ input: [UInt8]) -> [UInt8] {
        // One pass over a 128-byte view of the input (zero-padded only when short), no copies.
        if input.count >= 128 { return input.withUnsafeBufferPointer { ecrecover(words: $0.baseAddress!) } }
        return padded(input, from: 0, count: 128).withUnsafeBufferPointer { ecrecover(words: $0.baseAddress!) }
    }

    /// hash ‖ v ‖ r ‖ s at `data` (128 bytes).
    private func ecrecover(words data: UnsafePointer<UInt8>) -> [UInt8] {
        for i in 32..<63 where data[i] != 0 { return [] }
        let v = data[63]
        guard v == 27 || v == 28 else { return [] }
        let context = px_secp256k1_context_static()!
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, data + 64, Int32(v - 27)) == 1
        else { return [] }
        var key = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &key, &signature, data) == 1 else { return [] }
        var serialized: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        var length = 65
        return withUnsafeMutableBytes(of: &serialized) { raw -> [UInt8] in
            let bytes = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard secp256k1_ec_pubkey_serialize(context, bytes, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1
            else { return [] }
            let digest = keccak256(UnsafeRawBufferPointer(start: bytes + 1, count: 64))
            // The address is the digest's last 20 bytes, left-padded to a word.
            var out = [UInt8](repeating: 0, count: 32)
            out.withUnsafeMutableBytes { digest.store(to: $0.baseAddress!) }
            for i in 0..<12 { out[i] = 0 }
            return out
        }
    }
}

/// The outcome of calling a precompile directly (`EVM.callPrecompile`).
public enum PrecompileOutcome: Equatable, Sendable {
    /// The call succeeded: the gas it charged and its output.
    case success(gasUsed: Int64, output: [UInt8])
    /// Out of gas or an input the EIP rejects: the call fails and consumes all its gas.
    case failure
}

extension EVM {
    /// Calls the precompile at `address` as a message call with `gas` would,
    /// without a transaction around it: for benchmarks, differential tests
    /// and tools. Nil when `address` is no precompile in this fork.
    public func callPrecompile(_ address: Address, input: [UInt8], gas: Int64) throws -> PrecompileOutcome? {
        guard let precompile = Precompile(address: address, fork: fork) else { return nil }
        switch try precompile.run(input, gas: gas) {
        case .success(let used, let output): return .success(gasUsed: used, output: output)
        case .failure: return .failure
        }
    }
}
