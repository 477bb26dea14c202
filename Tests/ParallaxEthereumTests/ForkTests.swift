import ParallaxEthereum
import Testing

@Test func stateTestNamesRoundTrip() {
    for fork in Fork.allCases {
        #expect(Fork(stateTestName: fork.stateTestName) == fork)
    }
    #expect(Fork(stateTestName: "Petersburg") == .petersburg)
    #expect(Fork(stateTestName: "Prague") == nil)
}

@Test func forksAreOrderedByActivation() {
    #expect(Fork.frontier < .homestead)
    #expect(Fork.berlin < .london)
    #expect(Fork.allCases.sorted() == Fork.allCases)
}
