import ParallaxEVM
import ParallaxEthereum
import ParallaxTestSupport
import ParallaxVMInterface
import Testing

struct EthereumStateLayoutTests {
    func randomAddress(_ rng: inout SeededGenerator) -> Address {
        Address(hi: UInt32(truncatingIfNeeded: rng.next()), mid: rng.next(), lo: rng.next())
    }

    func randomWord(_ rng: inout SeededGenerator) -> UInt256 { UInt256(rng.next(), rng.next(), rng.next(), rng.next()) }

    @Test func addressKeysRoundTripAndKindsStayApart() {
        var rng = SeededGenerator.fromEnvironment()
        for _ in 0..<1_000 {
            let address = randomAddress(&rng)
            let account = EthereumStateLayout.accountKey(address)
            let balance = EthereumStateLayout.balanceKey(address)
            #expect(EthereumStateLayout.kind(of: account) == .account, "seed \(rng.seed)")
            #expect(EthereumStateLayout.kind(of: balance) == .balance, "seed \(rng.seed)")
            #expect(EthereumStateLayout.address(ofAddressKey: account) == address, "seed \(rng.seed)")
            #expect(EthereumStateLayout.address(ofAddressKey: balance) == address, "seed \(rng.seed)")
            #expect(Array(account.bytes[1...20]) == address.bytes, "seed \(rng.seed)")
            #expect(account.bytes[21...].allSatisfy { $0 == 0 }, "seed \(rng.seed)")
            let slot = randomWord(&rng)
            let storage = EthereumStateLayout.storageKey(address, slot)
            #expect(EthereumStateLayout.kind(of: storage) == .storage, "seed \(rng.seed)")
            #expect(Array(storage.bytes[1...]) == Array(keccak256(address.bytes + slot.bigEndianBytes).bytes[1...]), "seed \(rng.seed)")
            #expect(EthereumStateLayout.storageKey(address, slot &+ .one) != storage, "seed \(rng.seed)")
        }
    }

    @Test func valuesRoundTrip() {
        var rng = SeededGenerator.fromEnvironment()
        for _ in 0..<1_000 {
            let address = randomAddress(&rng)
            let slot = randomWord(&rng)
            let value = randomWord(&rng)
            let decoded = EthereumStateLayout.decodeStorage(EthereumStateLayout.storageValue(address, slot, value))
            #expect(decoded?.address == address && decoded?.slot == slot && decoded?.value == value, "seed \(rng.seed)")
            let nonce = rng.next()
            let codeHash = Bytes32(word: randomWord(&rng))
            let account = EthereumStateLayout.decodeAccount(EthereumStateLayout.accountValue(nonce: nonce, codeHash: codeHash))
            #expect(account?.nonce == nonce && account?.codeHash == codeHash, "seed \(rng.seed)")
            for balance in [value, UInt256(value.l0, value.l1, 0, 0), UInt256(value.l0)] {
                #expect(EthereumStateLayout.decodeBalance(EthereumStateLayout.balanceValue(balance)) == balance, "seed \(rng.seed)")
            }
        }
        let plain = EthereumStateLayout.accountValue(nonce: 7, codeHash: EmptyHashes.code)
        #expect(plain.count == 8, "an account without code is one inline word")
        #expect(EthereumStateLayout.decodeAccount(plain)?.codeHash == EmptyHashes.code)
        #expect(EthereumStateLayout.decodeAccount(StateValue([1, 2, 3])) == nil)
        #expect(EthereumStateLayout.decodeBalance(StateValue([1, 2, 3])) == nil)
        #expect(EthereumStateLayout.decodeStorage(StateValue([1, 2, 3])) == nil)
    }

    @Test func largeBalancesFailEveryDeltaCredit() {
        // A balance of 2^128 or more reads as 2^128 - 1 to a 128-bit delta, so
        // any credit overflows its bound and the caller takes the 256-bit path.
        let large = EthereumStateLayout.balanceValue(UInt256(0, 0, 1, 0))
        #expect(large.count == 48)
        #expect(large.bytes.prefix(16).allSatisfy { $0 == 0xFF })
        #expect(EthereumStateLayout.balanceValue(UInt256(5, 6, 0, 0)).count == 16)
    }

    @Test func logsRoundTripThroughEvents() {
        var rng = SeededGenerator.fromEnvironment()
        for count in 0...4 {
            let log = Log(address: randomAddress(&rng), topics: (0..<count).map { _ in Bytes32(word: randomWord(&rng)) },
                          data: [UInt8(count), 0xAB])
            let event = log.event
            #expect(event.topics.count == count, "seed \(rng.seed)")
            #expect(Log(event) == log, "seed \(rng.seed)")
        }
    }
}

@Test func storageCountKeyIsItsOwnKind() {
    let address = Address(hi: 0x1234_5678, mid: 0x9ABC_DEF0_1122_3344, lo: 0x5566_7788_99AA_BBCC)
    let key = EthereumStateLayout.storageCountKey(address)
    #expect(EthereumStateLayout.kind(of: key) == .storageCount)
    #expect(EthereumStateLayout.address(ofAddressKey: key) == address)
    #expect(key != EthereumStateLayout.accountKey(address))
    #expect(key != EthereumStateLayout.balanceKey(address))
    #expect(EthereumStateLayout.storageCountValue(3).uint64Value == 3)
}
