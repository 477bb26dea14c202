import ParallaxEthereum
import Testing

@Test func cancunIncludesEveryEarlierFork() {
    #expect(Fork.allCases.allSatisfy { $0 <= .cancun })
}
