// Fuzz target "config": the topology config file, TOML text to `TopologyConfig`,
// then its placement plan on two synthetic machines (the 2-socket machine of
// Examples/topology-2socket.toml and a 4-core laptop).
//
// Properties, beyond "no crash": every problem is a `ConfigError` (typed, and
// its description renders); parsing is deterministic (the same text gives an
// equal config or an equal error); a plan that succeeds keeps the plan's
// invariants (`PlacementPlan._checkInvariants`: one worker per PU, no reserved
// PU, pools in order) and has as many workers as pool entries ask for.

import ParallaxConfig
import ParallaxTopology

enum ConfigTarget {
    static let machines: [Topology] = [
        try! Topology(synthetic: "pack:2 numa:2 core:16 pu:2(indexes=2*64:1*2)"),
        try! Topology(synthetic: "pack:1 numa:1 core:4 pu:2"),
    ]

    static func run(_ input: UnsafeRawBufferPointer) {
        // The loader refuses files that are not UTF-8 before parsing; parse gets what passes.
        guard let text = String(validating: input, as: UTF8.self) else { return }
        let first = Result { () throws(ConfigError) in try TopologyConfig.parse(text, file: "fuzz.toml") }
        let second = Result { () throws(ConfigError) in try TopologyConfig.parse(text, file: "fuzz.toml") }
        require(first == second, "parsing the same text twice gave \(first) and \(second)")
        let config: TopologyConfig
        switch first {
        case .failure(let error):
            require(error.file == "fuzz.toml" && !error.description.isEmpty, "an error that names no file: \(error)")
            return
        case .success(let value):
            config = value
        }
        for machine in machines {
            do {
                let plan = try config.plan(on: machine)
                #if DEBUG
                plan._checkInvariants(on: machine, reserved: config.placement.reserved)
                #endif
                require(plan.pools.allSatisfy { pool in config.placement.pools.contains { $0.name == pool } },
                        "the plan has a pool the config does not name")
            } catch {
                require(error.file == "fuzz.toml" && error.key != nil, "a placement error names no key: \(error)")
                _ = error.description
            }
        }
    }
}
