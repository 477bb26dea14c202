import ParallaxEVM
import ParallaxEthereum
import Testing

/// Calls precompile `index` with `input` and returns its output and success.
func precompile(_ index: UInt64, _ input: [UInt8]) throws -> (Bool, [UInt8]) {
    // CALLDATACOPY(0, 0, size); STATICCALL(gas, p, 0, size, 0, 0); RETURNDATACOPY(0, 0, RETURNDATASIZE);
    // SSTORE(0, success); RETURN(0, RETURNDATASIZE)
    let code: [UInt8] =
        [0x36, 0x5F, 0x5F, 0x37] + [0x5F, 0x5F, 0x36, 0x5F] + Op.push(address(index)) + [0x5A, 0xFA]
        + Op.store(slot: 0) + [0x3D, 0x5F, 0x5F, 0x3E, 0x3D, 0x5F, 0xF3]
    let (r, w) = try runContract(code, data: input)
    #expect(r.status == .success)
    return (w.accounts[contract]?.storage[0] == .one, r.output)
}

@Test func sha256Vectors() throws {
    #expect(
        try precompile(2, Array("abc".utf8)).1
            == hexBytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    #expect(
        try precompile(2, []).1 == hexBytes("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
}

@Test func ripemd160Vectors() throws {
    let pad = [UInt8](repeating: 0, count: 12)
    #expect(try precompile(3, []).1 == pad + hexBytes("9c1185a5c5e9fc54612808977ee8f548b2258d31"))
    #expect(try precompile(3, Array("abc".utf8)).1 == pad + hexBytes("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"))
    #expect(
        try precompile(3, Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).1
            == pad + hexBytes("12a053384a9c0c88e405a06c27dcf49ada62eb2b"))
    #expect(
        try precompile(3, Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8)).1
            == pad + hexBytes("9b752e45573d4b39f4dbd3323cab82bf63326bfb"))
}

@Test func identity() throws {
    let input: [UInt8] = Array(0..<100)
    let (ok, out) = try precompile(4, input)
    #expect(ok)
    #expect(out == input)
}

@Test func ecrecoverVector() throws {
    let input = hexBytes(
        "abdb0448722fb4e1552eb264fd4dcc126061920ac0a26ef6cc9d4f13f8291665"
            + "000000000000000000000000000000000000000000000000000000000000001b"
            + "692e3d4bdebafebcf7b64777ff7db213722fcf5cd5289b9067c26927671d191f"
            + "435df4cf68b7b03bf3fa4b3fd7f49b13b59bc880b24ef9210b55b311239356dd")
    let (ok, out) = try precompile(1, input)
    #expect(ok)
    #expect(out == [UInt8](repeating: 0, count: 12) + hexBytes("a94f5374fce5edbc8e2a8697c15331677e6ebf0b"))
    // v = 29: no output, still a successful call.
    var bad = input
    bad[63] = 29
    let (ok2, out2) = try precompile(1, bad)
    #expect(ok2)
    #expect(out2.isEmpty)
}

@Test func modexpFermat() throws {
    // EIP-198's example: 3^(p-1) mod p = 1 for the secp256k1 field prime p.
    let p = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"
    let pMinus1 = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
    let header = word(1) + word(32) + word(32)
    let (ok, out) = try precompile(5, header + [3] + hexBytes(pMinus1) + hexBytes(p))
    #expect(ok)
    #expect(out == word(1))
    // A zero modulus gives zeros of the modulus length; an input cut short reads zeros.
    let (ok0, out0) = try precompile(5, header + [3] + hexBytes(pMinus1))
    #expect(ok0)
    #expect(out0 == word(0))
    // Missing modulus bytes read as zero: 3^(p-1) mod 0xff00..00 differs from mod p.
    let (ok1, out1) = try precompile(5, header + [3] + hexBytes(pMinus1) + [0xff])
    #expect(ok1)
    #expect(out1.count == 32 && out1 != word(1))
}

@Test func modexpHugeLengthsFailForGas() throws {
    // A base length of 2^255: its price exceeds any gas, no allocation happens.
    var hugeBase = word(0)
    hugeBase[0] = 0x80
    let (ok, _) = try precompile(5, hugeBase + word(1) + word(1) + [2, 3, 5])
    #expect(!ok)
    // An exponent length of 2^255 with nothing to multiply costs the minimum and returns nothing.
    let (ok2, out2) = try precompile(5, word(0) + hugeBase + word(0))
    #expect(ok2)
    #expect(out2.isEmpty)
}

@Test func blake2fIsBlake2bOfAbc() throws {
    // One BLAKE2b-512 block of "abc" with 12 rounds: F's output is the digest of "abc" (RFC 7693 appendix A).
    let iv: [UInt64] = [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ]
    var h = iv
    h[0] ^= 0x0101_0040  // digest length 64, no key, fanout 1, depth 1
    func le(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    var message = [UInt8](repeating: 0, count: 128)
    message[0] = 0x61; message[1] = 0x62; message[2] = 0x63
    let input = [0, 0, 0, 12] + h.flatMap(le) + message + le(3) + le(0) + [1]
    let (ok, out) = try precompile(9, input)
    #expect(ok)
    #expect(
        out
            == hexBytes(
                "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                    + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"))
    // A final flag other than 0 or 1, and any other length, fail.
    var badFlag = input
    badFlag[212] = 2
    #expect(try precompile(9, badFlag).0 == false)
    #expect(try precompile(9, Array(input.dropLast())).0 == false)
}

@Test func bn254AddDoublesTheGenerator() throws {
    // G1 = (1, 2); 2·G1 from EIP-196's curve: the sum G1 + G1 and the product 2·G1 agree.
    let g1 = word(1) + word(2)
    let double = hexBytes(
        "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
            + "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4")
    let (ok, sum) = try precompile(6, g1 + g1)
    #expect(ok)
    #expect(sum == double)
    let (ok2, product) = try precompile(7, g1 + word(2))
    #expect(ok2)
    #expect(product == double)
    // Short input reads as zeros: G1 + infinity = G1.
    #expect(try precompile(6, g1).1 == g1)
    // (1, 3) is not on the curve; a coordinate of p is not canonical: the call fails.
    #expect(try precompile(6, word(1) + word(3) + g1).0 == false)
    let p = hexBytes("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47")
    #expect(try precompile(7, p + word(2) + word(1)).0 == false)
}

@Test func bn254PairingFraming() throws {
    // No pairs: the empty product is one.
    let (ok, out) = try precompile(8, [])
    #expect(ok)
    #expect(out == word(1))
    // Not a whole number of 192-byte pairs: the call fails.
    #expect(try precompile(8, [UInt8](repeating: 0, count: 191)).0 == false)
    // One pair of points at infinity: e = 1.
    #expect(try precompile(8, [UInt8](repeating: 0, count: 192)).1 == word(1))
}

@Test func pointEvaluation() throws {
    // A correct proof from the consensus specs' verify_kzg_proof vectors
    // (correct_proof_1ce8e4f69d5df899): the output is FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS.
    let input = hexBytes(
        "01ad7666ef9d8f53b5adf54f029b13b6f171b1d0bd346a2ede315d3e243484ef"
            + "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000"
            + "0000000000000000000000000000000000000000000000000000000000000000"
            + "93efc82d2017e9c57834a1246463e64774e56183bb247c8fc9dd98c56817e878d97b05f5c8d900acf1fbbbca6f146556"
            + "92c51ff81dd71dab71cefecd79e8274b4b7ba36a0f40e2dc086bc4061c7f63249877db23297212991fd63e07b7ebc348")
    let (ok, out) = try precompile(10, input)
    #expect(ok)
    #expect(out == word(4096) + hexBytes("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"))
    // Another y, a versioned hash that is not the commitment's, a short input: each fails.
    var wrongY = input
    wrongY[95] ^= 1
    #expect(try precompile(10, wrongY).0 == false)
    var wrongHash = input
    wrongHash[31] ^= 1
    #expect(try precompile(10, wrongHash).0 == false)
    #expect(try precompile(10, Array(input.dropLast())).0 == false)
}

private func word(_ value: UInt64) -> [UInt8] { UInt256(value).bigEndianBytes }
