import ParallaxPrecheck
import Testing

/// Published test vectors, checked through automatic dispatch and through
/// every kernel this CPU has.
@Suite struct HashVectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let algorithm: HashAlgorithm
        let message: [UInt8]
        let digest: String
        let label: String
        var testDescription: String { "\(algorithm) \(label)" }

        init(_ algorithm: HashAlgorithm, ascii: String, _ digest: String) {
            self.algorithm = algorithm
            message = Array(ascii.utf8)
            self.digest = digest
            label = ascii.count > 24 ? "\"\(ascii.prefix(24))…\" (\(ascii.utf8.count) bytes)" : "\"\(ascii)\""
        }

        init(_ algorithm: HashAlgorithm, hex text: String, _ digest: String) {
            self.algorithm = algorithm
            message = hex(text)
            self.digest = digest
            label = "0x\(text)"
        }
    }

    static let vectors: [Vector] = [
        // FIPS 180-2 appendix B and NIST CAVP SHA256ShortMsg.rsp.
        Vector(.sha256, ascii: "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        Vector(.sha256, ascii: "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        Vector(.sha256, ascii: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        Vector(.sha256, ascii: "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
               "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        Vector(.sha256, hex: "d3", "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1"),
        Vector(.sha256, hex: "11af", "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98"),
        Vector(.sha256, hex: "b4190e", "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2"),
        // Keccak-256 as Ethereum uses it: the empty string, and the selector
        // and event topics of the ERC-20 interface (EIP-20).
        Vector(.keccak256, ascii: "", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        Vector(.keccak256, ascii: "abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        Vector(.keccak256, ascii: "transfer(address,uint256)",
               "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b"),
        Vector(.keccak256, ascii: "Transfer(address,address,uint256)",
               "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"),
        Vector(.keccak256, ascii: "Approval(address,address,uint256)",
               "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"),
        // FIPS 202 examples (NIST "SHA3-256 Msg0" and "abc").
        Vector(.sha3_256, ascii: "", "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"),
        Vector(.sha3_256, ascii: "abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
    ]

    @Test(arguments: vectors)
    func publishedVector(_ vector: Vector) throws {
        #expect(BatchHasher.digest(vector.algorithm, of: vector.message).hex == vector.digest)
        for kernel in vector.algorithm.kernels where kernel.isAvailable(for: vector.algorithm) {
            var hasher = try BatchHasher(vector.algorithm, kernel: kernel)
            // Alone, and in a batch wide enough to fill every lane.
            #expect(hasher.hash([vector.message]).map(\.hex) == [vector.digest], "kernel \(kernel)")
            let batch = hasher.hash(Array(repeating: vector.message, count: 11))
            #expect(batch.allSatisfy { $0.hex == vector.digest }, "kernel \(kernel), batch of 11")
        }
    }

    /// FIPS 180-2 appendix B.3: one million repetitions of "a".
    @Test func sha256OfAMillionAs() throws {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        for kernel in HashAlgorithm.sha256.kernels where kernel.isAvailable(for: .sha256) {
            var hasher = try BatchHasher(.sha256, kernel: kernel)
            // Next to short messages, so the long one finishes alone in its lane.
            let digests = hasher.hash([message, [], Array("abc".utf8)])
            #expect(digests[0].hex == expected, "kernel \(kernel)")
            #expect(digests[2].hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        }
    }

    /// The same million bytes through Keccak-256 must agree across kernels,
    /// and SHA3-256 of them with OpenSSL.
    @Test func millionByteSpongesAgree() throws {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        let sha3 = openSSLDigest(.sha3_256, message)
        let keccak = BatchHasher.digest(.keccak256, of: message)
        #expect(keccak != sha3)
        for kernel in HashAlgorithm.keccak256.kernels where kernel.isAvailable(for: .keccak256) {
            var keccakHasher = try BatchHasher(.keccak256, kernel: kernel)
            var sha3Hasher = try BatchHasher(.sha3_256, kernel: kernel)
            #expect(keccakHasher.hash([message, []])[0] == keccak, "kernel \(kernel)")
            #expect(sha3Hasher.hash([[], message])[1] == sha3, "kernel \(kernel)")
        }
    }
}
