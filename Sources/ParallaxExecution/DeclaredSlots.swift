// Where `DeclaredAccessExecutor` keeps the values of a block's declared
// keys: one slot per key, in the slot region of the key's home node.

import ParallaxConcurrency

/// The value slots of a block's declared keys, one region per node of the
/// executor (C memory bound to the node), and each transaction's node.
final class DeclaredSlots {
    let keyCount: Int
    let regions: [SlotArray]
    /// Per key id: its slot (nil inside: the block has not written the key;
    /// `.some(nil)`: deleted).
    let slotOfKey: UnsafeMutablePointer<UnsafeMutablePointer<StateValue??>>
    /// Per transaction: the node index that holds most of its declared keys.
    let transactionNodes: UnsafeMutablePointer<UInt32>

    init(graph: DependencyGraph, nodes: [NodeID?]) throws(SlotArrayError) {
        let keys = graph.keys
        keyCount = keys.count
        let transactionCount = graph.count
        let nodeCount = nodes.count
        slotOfKey = .allocate(capacity: Swift.max(1, keyCount))
        transactionNodes = .allocate(capacity: Swift.max(1, transactionCount))
        var homes = [UInt32](repeating: 0, count: keyCount)
        var sizes = [Int](repeating: 0, count: nodeCount)
        var local = [Int](repeating: 0, count: keyCount)
        for id in 0..<keyCount {
            let home = DeclaredAccessExecutor.homeNode(of: keys[id], nodes: nodeCount)
            homes[id] = UInt32(home)
            local[id] = sizes[home]
            sizes[home] += 1
        }
        let stride = MemoryLayout<StateValue??>.stride
        var regions: [SlotArray] = []
        do {
            for index in 0..<nodeCount {
                regions.append(try SlotArray(count: Swift.max(1, (sizes[index] * stride + 63) / 64), lineSize: .line, node: nodes[index]))
            }
        } catch {
            slotOfKey.deallocate()
            transactionNodes.deallocate()
            throw error
        }
        self.regions = regions
        let bases = regions.enumerated().map { index, region in
            region.base.bindMemory(to: StateValue??.self, capacity: Swift.max(1, sizes[index]))
        }
        for index in 0..<nodeCount { bases[index].initialize(repeating: nil, count: sizes[index]) }
        for id in 0..<keyCount { slotOfKey[id] = bases[Int(homes[id])] + local[id] }
        var tally = [Int](repeating: 0, count: nodeCount)
        for txn in 0..<UInt32(transactionCount) {
            guard nodeCount > 1 else {
                transactionNodes[Int(txn)] = 0
                continue
            }
            for index in 0..<nodeCount { tally[index] = 0 }
            // A credit does not touch the key's slot (see `resolveCredits`).
            let credit = graph.creditKeyOfTransaction[Int(txn)]
            for slot in graph.keyRange(of: txn) where graph.txnKeyIDs[slot] != credit {
                tally[Int(homes[Int(graph.txnKeyIDs[slot])])] += 1
            }
            var best = 0
            for index in 1..<nodeCount where tally[index] > tally[best] { best = index }
            transactionNodes[Int(txn)] = UInt32(best)
        }
    }

    deinit {
        for id in 0..<keyCount { slotOfKey[id].deinitialize(count: 1) }
        slotOfKey.deallocate()
        transactionNodes.deallocate()
    }
}
