import ParallaxTestSupport
import Testing
@testable import ParallaxTopology


@Suite struct CPUSetTests {
    @Test func parsesListsAndRanges() throws {
        let set = try CPUSet(cpulist: "0-3,8,10-11")
        #expect(Array(set) == [0, 1, 2, 3, 8, 10, 11].map { PUIndex($0) })
        #expect(set.count == 7)
        #expect(set.cpulist == "0-3,8,10-11")
        #expect(try CPUSet(cpulist: "5") == [5])
        #expect(try CPUSet(cpulist: "") == CPUSet())
        #expect(try CPUSet(cpulist: "0-1\n") == [0, 1], "the newline of a sysfs file is ignored")
        #expect(try CPUSet(cpulist: "3,1,2,1").cpulist == "1-3", "unordered and repeated items are canonicalised")
        #expect(try CPUSet(cpulist: "64-65,127-128").cpulist == "64-65,127-128", "ranges across word boundaries")
    }

    @Test func roundTripsRandomSets() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<500 {
            var set = CPUSet()
            let limit = Int32.random(in: 1...600, using: &rng)
            for _ in 0..<Int.random(in: 0...80, using: &rng) { set.insert(PUIndex(Int32.random(in: 0..<limit, using: &rng))) }
            let text = set.cpulist
            let parsed = try CPUSet(cpulist: text)
            #expect(parsed == set, "seed \(seed): \(text)")
            #expect(parsed.cpulist == text, "seed \(seed)")
            #expect(parsed.count == Set(set).count, "seed \(seed)")
        }
    }

    @Test func setAlgebra() {
        let a: CPUSet = [0, 1, 2, 70]
        let b: CPUSet = [2, 3, 70]
        #expect(a.union(b) == [0, 1, 2, 3, 70])
        #expect(a.intersection(b) == [2, 70])
        #expect(a.subtracting(b) == [0, 1])
        #expect(a.subtracting(a).isEmpty)
        #expect(a.subtracting(a) == CPUSet(), "no trailing zero words: equal sets compare equal")
        #expect(CPUSet([PUIndex(2), PUIndex(70)]).isSubset(of: a))
        #expect(!a.isDisjoint(with: b))
        var c = a
        c.remove(PUIndex(70))
        #expect(c == [0, 1, 2])
        #expect(c.first == PUIndex(0))
        #expect(!c.contains(PUIndex(70)))
    }

    @Test(arguments: [
        ("0-3,x", "x", CPUListError.Reason.malformed),
        ("1,,2", "", .emptyItem),
        (",1", "", .emptyItem),
        ("1,", "", .emptyItem),
        ("3-1", "3-1", .reversedRange),
        ("0-7:2", "0-7:2", .malformed),
        ("1-2-3", "1-2-3", .malformed),
        ("-1", "-1", .malformed),
        ("1 ,2", "1 ", .malformed),
        ("0x3", "0x3", .malformed),
        ("99999999", "99999999", .tooLarge(limit: CPUSet.limit)),
        ("0-70000", "0-70000", .tooLarge(limit: CPUSet.limit)),
    ])
    func rejectsMalformedLists(text: String, item: String, reason: CPUListError.Reason) {
        #expect(throws: CPUListError(text: text, item: item, reason: reason)) { try CPUSet(cpulist: text) }
        do {
            _ = try CPUSet(cpulist: text)
        } catch {
            #expect(error.description.contains("\"\(text)\""), "the message quotes the list: \(error)")
        }
    }

    @Test func messagesQuoteTheOffendingItem() {
        do {
            _ = try CPUSet(cpulist: "0-3,8-5")
            Issue.record("reversed range accepted")
        } catch {
            #expect(error.description == "malformed cpulist \"0-3,8-5\": range \"8-5\" is reversed (write low-high)")
        }
    }

    @Test func rejectsCPUsTheMachineLacks() throws {
        let topology = try Topology(synthetic: "pack:1 numa:1 core:4 pu:1")
        #expect(try topology.cpuSet(cpulist: "1-3") == [1, 2, 3])
        do {
            _ = try topology.cpuSet(cpulist: "2-5")
            Issue.record("absent CPUs accepted")
        } catch {
            #expect(error.reason == .notPresent(missing: [4, 5], available: [0, 1, 2, 3]))
            #expect(error.description == "cpulist \"2-5\": CPUs 4-5 not present on this machine (it has CPUs 0-3)")
        }
    }
}
