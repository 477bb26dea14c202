import Testing
@testable import ParallaxTopology

/// Directory of this file's fixtures (tests run from any directory).
func fixturePath(_ name: String, file: String = #filePath) -> String {
    let directory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    return directory + "/Fixtures/" + name
}

@Suite struct TopologyTests {
    @Test func synthesizesATwoSocketMachine() throws {
        let topology = try Topology(synthetic: "pack:2 numa:2 core:8 pu:2")
        topology._checkInvariants()
        #expect(topology.packages.count == 2)
        #expect(topology.numaNodes.count == 4)
        #expect(topology.cores.count == 32)
        #expect(topology.pus.count == 64)
        #expect(topology.cpus == (try CPUSet(cpulist: "0-63")))
        #expect(topology.numaNodes.map(\.id) == (0..<4).map { NodeID($0) })
        #expect(topology.numaNodes[1].cpus == (try CPUSet(cpulist: "16-31")))
        #expect(topology.numaNodes[2].package == PackageID(1))
        #expect(topology.numaNodes.allSatisfy { $0.memoryBytes > 0 })
        #expect(topology.packages[1].nodes == [NodeID(2), NodeID(3)])
        #expect(topology.cores[5].pus == [PUIndex(10), PUIndex(11)], "SMT siblings of a core")
        #expect(topology.pu(PUIndex(40))?.node == NodeID(2))
        #expect(topology.pu(PUIndex(64)) == nil)
        #expect(topology.l3Groups.isEmpty)
    }

    @Test func findsL3Groups() throws {
        let topology = try Topology(synthetic: "pack:1 numa:1 l3:2 core:4 pu:1")
        #expect(topology.l3Groups.count == 2)
        #expect(topology.l3Groups[1].cpus == [4, 5, 6, 7])
        #expect(topology.pu(PUIndex(5))?.l3 == L3ID(1))
    }

    @Test func loadsAnXMLExport() throws {
        let xml = try Topology(xmlPath: fixturePath("pack2-numa2-l3x2-core4-pu2.xml"))
        let synthetic = try Topology(synthetic: "pack:2 numa:2 l3:2 core:4 pu:2")
        xml._checkInvariants()
        #expect(xml == synthetic)
        #expect(xml.numaNodes.count == 4)
        #expect(xml.l3Groups.count == 8)
        #expect(xml.pus.count == 64)
        #expect(xml.numaNodes[0].memoryBytes == 1 << 30)
    }

    @Test func loadsThisMachine() throws {
        let topology = try Topology.thisMachine()
        topology._checkInvariants()
        #expect(!topology.pus.isEmpty)
        #expect(!topology.numaNodes.isEmpty)
        let allowed = try ThreadAffinity.current()
        #expect(allowed.isSubset(of: topology.cpus), "this thread may run only on PUs the topology knows")
    }

    @Test func reportsBadInput() {
        do {
            _ = try Topology(synthetic: "pack:2 bogus:3")
            Issue.record("a bad synthetic description loaded")
        } catch {
            #expect(error.description.contains("'pack:2 bogus:3'"), "\(error)")
        }
        do {
            _ = try Topology(xmlPath: "/nonexistent/topology.xml")
            Issue.record("missing XML accepted")
        } catch {
            #expect(error.description.contains("/nonexistent/topology.xml"), "\(error)")
        }
    }
}
