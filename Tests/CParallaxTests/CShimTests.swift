import CParallaxCore
import Foundation
import Testing

@Suite struct SlotArrayShimTests {
    @Test(arguments: [64, 128])
    func everySlotIsAlignedToItsLineSize(lineSize: Int) throws {
        for count in [1, 3, 64, 1000] {
            let array = try #require(px_slots_create(count, lineSize, PX_NODE_ANY))
            defer { px_slots_destroy(array) }
            #expect(px_slots_count(array) == count)
            #expect(px_slots_words_per_slot(array) == lineSize / 8)
            let base = try #require(px_slots_base(array))
            for index in 0..<count {
                let word = px_slots_word(base, lineSize, index, 0)!
                #expect(Int(bitPattern: word) % lineSize == 0, "slot \(index) misaligned")
                #expect(word.pointee == 0, "slot \(index) not zeroed")
            }
        }
    }

    @Test func badArgumentsAreRefused() {
        #expect(px_slots_create(0, 64, PX_NODE_ANY) == nil)
        #expect(errno == EINVAL)
        #expect(px_slots_create(4, 32, PX_NODE_ANY) == nil)
        #expect(errno == EINVAL)
        #expect(px_slots_create(Int.max / 2, 64, PX_NODE_ANY) == nil)
        #expect(errno == ERANGE)
    }

    @Test func heapPlacementWithoutANode() throws {
        let array = try #require(px_slots_create(8, 64, PX_NODE_ANY))
        defer { px_slots_destroy(array) }
        #expect(px_slots_placement(array) == px_placement_heap)
        #expect(px_slots_node(array) == PX_NODE_ANY)
    }

    /// A node the machine does not have (or a machine without NUMA) falls back
    /// to aligned heap memory and says so.
    @Test func absentNodeFallsBackToTheHeap() throws {
        let absent = px_numa_max_node() + 1
        let array = try #require(px_slots_create(8, 128, absent))
        defer { px_slots_destroy(array) }
        #expect(px_slots_placement(array) == px_placement_heap)
        #expect(Int(bitPattern: px_slots_base(array)) % 128 == 0)
    }

    @Test func numaPlacementWhereAvailable() throws {
        let array = try #require(px_slots_create(1024, 64, 0))
        defer { px_slots_destroy(array) }
        if px_numa_available() != 0 {
            #expect(px_slots_placement(array) == px_placement_numa_node)
            #expect(px_slots_node(array) == 0)
            // The pages were touched by the zero fill, so the kernel knows their node.
            #expect(px_numa_node_of(px_slots_base(array)) == 0)
        } else {
            #expect(px_slots_placement(array) == px_placement_heap)
            #expect(px_numa_node_of(px_slots_base(array)) == -1)
        }
    }
}

@Suite struct AtomicShimTests {
    @Test func operationsHaveTheirSequentialMeaning() throws {
        let array = try #require(px_slots_create(1, 64, PX_NODE_ANY))
        defer { px_slots_destroy(array) }
        let word = px_slots_word(px_slots_base(array), 64, 0, 3)!
        px_atomic_store(word, 5, px_store_release)
        #expect(px_atomic_load(word, px_load_acquire) == 5)
        #expect(px_atomic_fetch_add(word, 3, px_rmw_acq_rel) == 5)
        #expect(px_atomic_exchange(word, 100, px_rmw_seq_cst) == 8)
        var expected: UInt64 = 1
        #expect(!px_atomic_cas(word, &expected, 7, px_rmw_acq_rel))
        #expect(expected == 100)
        #expect(px_atomic_cas(word, &expected, 7, px_rmw_relaxed))
        #expect(px_atomic_fetch_or(word, 0x10, px_rmw_release) == 7)
        #expect(px_atomic_load(word, px_load_relaxed) == 0x17)
        // Neighbouring words are untouched.
        #expect(px_slots_word(px_slots_base(array), 64, 0, 2)!.pointee == 0)
        #expect(px_slots_word(px_slots_base(array), 64, 0, 4)!.pointee == 0)
    }

    static let loadOrders = [px_load_relaxed, px_load_acquire, px_load_seq_cst]
    static let storeOrders = [px_store_relaxed, px_store_release, px_store_seq_cst]
    static let rmwOrders = [px_rmw_relaxed, px_rmw_acquire, px_rmw_release, px_rmw_acq_rel, px_rmw_seq_cst]
    static let fenceOrders = [px_fence_acquire, px_fence_release, px_fence_acq_rel, px_fence_seq_cst]

    /// Every case of every switch in px_atomic.h and px_sync.h: an order that
    /// fell through to the wrong builtin, or one that did nothing, shows up as
    /// a wrong value here (the order itself is only visible to other threads).
    @Test func everyOrderOfEveryOperation() throws {
        let array = try #require(px_slots_create(1, 64, PX_NODE_ANY))
        defer { px_slots_destroy(array) }
        let word = px_slots_word(px_slots_base(array), 64, 0, 0)!
        for store in Self.storeOrders {
            px_atomic_store(word, UInt64(store.rawValue) + 40, store)
            for load in Self.loadOrders {
                #expect(px_atomic_load(word, load) == UInt64(store.rawValue) + 40, "store \(store) load \(load)")
            }
        }
        for rmw in Self.rmwOrders {
            let tag = "\(rmw)"
            px_atomic_store(word, 10, px_store_relaxed)
            #expect(px_atomic_fetch_add(word, 5, rmw) == 10, "\(tag)")
            #expect(px_atomic_fetch_or(word, 0x30, rmw) == 15, "\(tag)")
            #expect(px_atomic_exchange(word, 7, rmw) == 0x3F, "\(tag)")
            var expected: UInt64 = 8
            #expect(!px_atomic_cas(word, &expected, 9, rmw), "\(tag)")
            #expect(expected == 7, "failed CAS reports the current value, \(tag)")
            #expect(px_atomic_cas(word, &expected, 9, rmw), "\(tag)")
            #expect(px_atomic_cas_value(word, 8, 11, rmw) == 9, "\(tag)")
            #expect(px_atomic_cas_value(word, 9, 11, rmw) == 9, "\(tag)")
            #expect(px_atomic_load(word, px_load_relaxed) == 11, "\(tag)")
        }
        for fence in Self.fenceOrders { px_atomic_fence(fence) }
    }

    @Test func everyOrderOfEvery32BitOperation() {
        var word: UInt32 = 0
        withUnsafeMutablePointer(to: &word) { word in
            for rmw in Self.rmwOrders {
                let before = px_atomic32_load(word, px_load_relaxed)
                #expect(px_atomic32_fetch_add(word, 3, rmw) == before, "\(rmw)")
                #expect(px_atomic32_fetch_sub(word, 1, rmw) == before + 3, "\(rmw)")
                for load in Self.loadOrders {
                    #expect(px_atomic32_load(word, load) == before + 2, "\(rmw) then \(load)")
                }
            }
            #expect(px_atomic32_fetch_sub(word, 10, px_rmw_relaxed) == 10)
            #expect(px_atomic32_load(word, px_load_seq_cst) == 0)
        }
    }

    @Test func concurrentFetchAddLosesNoIncrement() async throws {
        let array = try #require(px_slots_create(1, 64, PX_NODE_ANY))
        defer { px_slots_destroy(array) }
        let address = UInt(bitPattern: px_slots_word(px_slots_base(array), 64, 0, 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let word = UnsafeMutablePointer<UInt64>(bitPattern: address)!
                    for _ in 0..<100_000 { _ = px_atomic_fetch_add(word, 1, px_rmw_relaxed) }
                }
            }
        }
        #expect(px_atomic_load(UnsafeMutablePointer<UInt64>(bitPattern: address)!, px_load_seq_cst) == 400_000)
    }
}

@Suite(.serialized) struct CPUFeatureTests {
    static let flagNames: [(String, px_cpu_feature)] = [
        ("avx2", px_cpu_avx2), ("avx512f", px_cpu_avx512f), ("avx512bw", px_cpu_avx512bw),
        ("avx512vl", px_cpu_avx512vl), ("avx512ifma", px_cpu_avx512ifma),
        ("avx512_vbmi2", px_cpu_avx512vbmi2), ("sha_ni", px_cpu_sha_ni), ("bmi2", px_cpu_bmi2), ("adx", px_cpu_adx),
    ]

    @Test func detectionMatchesProcCpuinfo() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try #require(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: ":")[1].split(separator: " ").map(String.init))
        let detected = px_cpu_detected()
        for (name, feature) in Self.flagNames {
            #expect((detected & feature.rawValue != 0) == flags.contains(name), "\(name)")
        }
    }

    @Test func restrictionMasksDispatchButNotDetection() {
        let detected = px_cpu_detected()
        px_cpu_restrict(px_cpu_avx2.rawValue)
        #expect(px_cpu_features() == detected & px_cpu_avx2.rawValue)
        px_cpu_restrict(0)
        #expect(px_cpu_features() == 0)
        #expect(px_cpu_detected() == detected)
        px_cpu_restrict(PX_CPU_ALL_FEATURES)
        #expect(px_cpu_features() == detected)
    }
}
