// Precompiles 0x05 (modexp) and 0x09 (blake2f): the gas rules and input
// framing of EIP-198/EIP-2565 and EIP-152 around the C shim's arithmetic.

import CParallaxPrecompiles
import ParallaxEthereum

extension Precompile {
    /// EIP-198: `base_len ‖ exp_len ‖ mod_len` (32-byte words), then the three
    /// operands; missing bytes read as zero. The price depends only on the
    /// lengths and the exponent's first 32 bytes and is charged before any
    /// work, so a huge length fails for gas without allocating anything.
    func modexp(_ input: [UInt8], gas: Int64) -> PrecompileResult {
        let baseLength = lengthWord(input, at: 0)
        let exponentLength = lengthWord(input, at: 32)
        let modulusLength = lengthWord(input, at: 64)
        let exponentHead = modexpExponentHead(input, baseLength: baseLength, exponentLength: exponentLength)
        let cost = modexpGas(
            baseLength: baseLength, exponentLength: exponentLength, modulusLength: modulusLength,
            exponentHead: exponentHead)
        guard cost <= gas else { return .failure }
        // Affordable lengths are small: a base or modulus length beyond 2^32
        // would cost more gas than exists (complexity grows with its square).
        guard let base = small(baseLength), let modulus = small(modulusLength) else { return .failure }
        if modulus == 0 { return .success(gasUsed: cost, output: []) }
        guard let exponent = small(exponentLength) else { return .failure }
        let b = padded(input, from: 96, count: base)
        let e = padded(input, from: 96 + base, count: exponent)
        let m = padded(input, from: 96 + base + exponent, count: modulus)
        var out = [UInt8](repeating: 0, count: modulus)
        _ = px_modexp(b, base, e, exponent, m, modulus, &out)
        return .success(gasUsed: cost, output: out)
    }

    /// EIP-2565 from Berlin on, EIP-198's price before it; saturating at
    /// `Int64.max` (never affordable).
    func modexpGas(baseLength: UInt256, exponentLength: UInt256, modulusLength: UInt256, exponentHead: UInt256)
        -> Int64
    {
        let maxLength = max(baseLength, modulusLength)
        // Iteration count: the exponent's bit length less one, plus 8 per byte beyond 32.
        let headBits = Int64(256 - exponentHead.leadingZeroBitCount)
        var iterations: Int64
        if let length = small(exponentLength), length <= 32 {
            iterations = max(headBits - 1, 0)
        } else if let length = small(exponentLength), length < 1 << 58 {
            iterations = Int64(length - 32) * 8 + max(headBits - 1, 0)
        } else {
            // An exponent length past 2^58: affordable only with nothing to multiply.
            return maxLength.isZero ? (fork >= .berlin ? 200 : 0) : .max
        }
        iterations = max(iterations, 1)
        guard let x = small(maxLength), x < 1 << 30 else { return .max }
        let complexity: Int64
        if fork >= .berlin {
            let words = Int64((x + 7) / 8)
            complexity = words * words
            let (product, overflow) = complexity.multipliedReportingOverflow(by: iterations)
            if overflow { return .max }
            return max(200, product / 3)
        }
        let n = Int64(x)
        if n <= 64 {
            complexity = n * n
        } else if n <= 1024 {
            complexity = n * n / 4 + 96 * n - 3072
        } else {
            complexity = n * n / 16 + 480 * n - 199_680
        }
        let (product, overflow) = complexity.multipliedReportingOverflow(by: iterations)
        return overflow ? .max : product / 20
    }

    /// The first min(32, exp_len) bytes of the exponent as a number (what the
    /// price reads), zero when the input ends before them.
    private func modexpExponentHead(_ input: [UInt8], baseLength: UInt256, exponentLength: UInt256) -> UInt256 {
        guard let base = small(baseLength), base < 1 << 40 else { return .zero }
        let headLength = min(small(exponentLength) ?? 32, 32)
        let word = [UInt8](repeating: 0, count: 32 - headLength) + padded(input, from: 96 + base, count: headLength)
        return word.withUnsafeBytes { UInt256(bigEndian: $0) }
    }

    private func lengthWord(_ input: [UInt8], at offset: Int) -> UInt256 {
        padded(input, from: offset, count: 32).withUnsafeBytes { UInt256(bigEndian: $0) }
    }

    /// The value as an `Int` when it is below 2^62, else nil.
    private func small(_ value: UInt256) -> Int? {
        guard let v = value.uint64IfFits, v < 1 << 62 else { return nil }
        return Int(v)
    }

    /// EIP-152: exactly 213 bytes, a final-block flag of 0 or 1; one gas a round.
    func blake2f(_ input: [UInt8], gas: Int64) -> PrecompileResult {
        guard input.count == 213 else { return .failure }
        let rounds = Int64(input[0]) << 24 | Int64(input[1]) << 16 | Int64(input[2]) << 8 | Int64(input[3])
        guard rounds <= gas else { return .failure }
        var out = [UInt8](repeating: 0, count: 64)
        guard px_blake2f(input, &out) == 0 else { return .failure }
        return .success(gasUsed: rounds, output: out)
    }
}
