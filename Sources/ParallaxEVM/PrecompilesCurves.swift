// Precompiles 0x06-0x08 (alt_bn128 add, mul, pairing check: EIP-196/197,
// priced by EIP-1108 from Istanbul on) and 0x0a (KZG point evaluation,
// EIP-4844): the gas and framing around the C shim's curve arithmetic.
// An input the EIPs reject (a coordinate not below p, a point off the curve
// or outside the subgroup, a pairing input that is not whole pairs, a wrong
// versioned hash or a proof that does not verify) fails the call and
// consumes all its gas.

import CParallaxHash
import CParallaxPrecompiles
import ParallaxEthereum

extension Precompile {
    func bn254Add(_ input: [UInt8], gas: Int64) -> PrecompileResult {
        let cost: Int64 = fork >= .istanbul ? 150 : 500
        guard cost <= gas else { return .failure }
        let data = padded(input, from: 0, count: 128)
        var out = [UInt8](repeating: 0, count: 64)
        guard px_bn254_add(data, &out) == 0 else { return .failure }
        return .success(gasUsed: cost, output: out)
    }

    func bn254Mul(_ input: [UInt8], gas: Int64) -> PrecompileResult {
        let cost: Int64 = fork >= .istanbul ? 6_000 : 40_000
        guard cost <= gas else { return .failure }
        let data = padded(input, from: 0, count: 96)
        var out = [UInt8](repeating: 0, count: 64)
        guard px_bn254_mul(data, &out) == 0 else { return .failure }
        return .success(gasUsed: cost, output: out)
    }

    func bn254Pairing(_ input: [UInt8], gas: Int64) -> PrecompileResult {
        guard input.count % 192 == 0 else { return .failure }
        let pairs = Int64(input.count / 192)
        let cost: Int64 = fork >= .istanbul ? 45_000 + 34_000 * pairs : 100_000 + 80_000 * pairs
        guard cost <= gas else { return .failure }
        var result: Int32 = 0
        guard px_bn254_pairing_check(input, input.count, &result) == 0 else { return .failure }
        return .success(gasUsed: cost, output: UInt256(UInt64(result == 1 ? 1 : 0)).bigEndianBytes)
    }

    /// The blob constants EIP-4844's point evaluation returns on success:
    /// FIELD_ELEMENTS_PER_BLOB and the BLS12-381 scalar modulus.
    static let pointEvaluationOutput: [UInt8] =
        UInt256(UInt64(4096)).bigEndianBytes
        + [0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
           0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01]

    /// EIP-4844: versioned_hash ‖ z ‖ y ‖ commitment ‖ proof, exactly 192
    /// bytes; the hash must be 0x01 ‖ sha256(commitment)[1...].
    func pointEvaluation(_ input: [UInt8], gas: Int64) -> PrecompileResult {
        let cost: Int64 = 50_000
        guard cost <= gas, input.count == 192 else { return .failure }
        let commitment = Array(input[96..<144])
        var versioned = sha256(commitment)
        versioned[0] = 0x01
        guard versioned[...] == input[0..<32] else { return .failure }
        var valid: Int32 = 0
        let status = input.withUnsafeBufferPointer { p in
            px_kzg_verify_proof(p.baseAddress! + 96, p.baseAddress! + 32, p.baseAddress! + 64, p.baseAddress! + 144, &valid)
        }
        guard status == 0, valid == 1 else { return .failure }
        return .success(gasUsed: cost, output: Precompile.pointEvaluationOutput)
    }
}
