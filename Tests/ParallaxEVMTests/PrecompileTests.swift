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

@Test func unimplementedPrecompileThrows() throws {
    #expect(throws: EVMError.precompileNotImplemented(address(5))) { try precompile(5, []) }
}
