import ParallaxConfig
import ParallaxState
import ParallaxTopology

/// How a `BlockPipeline` runs: thread counts of its stages and the depth of
/// the queues between them. Build it in code, from a placement plan, or from
/// a topology config file (`load(topologyConfig:)`).
public struct PipelineConfiguration: Sendable, Equatable {
    /// Workers that precheck one block together (the precheck pool).
    public var precheckThreads: Int
    /// Workers of the parallel executor (the execute pool).
    public var executeThreads: Int
    /// Blocks each inter-stage queue holds; a full queue blocks the stage
    /// before it (backpressure). At most `3 * queueCapacity + 3` submitted
    /// blocks are uncommitted at any time (three queues, one block in each
    /// stage); capacities round up to a power of two, at least 2.
    public var queueCapacity: Int
    /// PUs the precheck, execute and commit stage threads pin themselves to
    /// (the first PU of each pool of a plan); empty: unpinned.
    public var stagePUs: [PoolName: PUIndex]

    /// A configuration in code.
    public init(precheckThreads: Int = 1, executeThreads: Int = 1, queueCapacity: Int = 4, stagePUs: [PoolName: PUIndex] = [:]) {
        self.precheckThreads = precheckThreads
        self.executeThreads = executeThreads
        self.queueCapacity = queueCapacity
        self.stagePUs = stagePUs
    }

    /// Sizes from the pools of `plan`: as many precheck and execute workers
    /// as the plan places in those pools (at least one), stage threads pinned
    /// to each pool's first PU.
    public init(plan: PlacementPlan, queueCapacity: Int = 4) {
        var pus: [PoolName: PUIndex] = [:]
        for pool in PoolName.allCases {
            if let first = plan.workers(in: pool).first { pus[pool] = first.pu }
        }
        self.init(precheckThreads: max(1, plan.workers(in: .precheck).count),
                  executeThreads: max(1, plan.workers(in: .execute).count),
                  queueCapacity: queueCapacity, stagePUs: pus)
    }

    /// The configuration of the topology config file at `path` (see
    /// docs/topology.md) on `topology` (this machine by default).
    public static func load(topologyConfig path: String, topology: Topology? = nil, queueCapacity: Int = 4)
        throws(PipelineError) -> PipelineConfiguration
    {
        let config: TopologyConfig
        do throws(ConfigError) { config = try TopologyConfig.load(file: path) } catch { throw .configFile(error) }
        let machine: Topology
        if let topology {
            machine = topology
        } else {
            do throws(TopologyError) { machine = try Topology.thisMachine() } catch { throw .topology(error) }
        }
        do throws(ConfigError) {
            return PipelineConfiguration(plan: try config.plan(on: machine), queueCapacity: queueCapacity)
        } catch {
            throw .configFile(error)
        }
    }
}

/// Why a pipeline could not start or stopped.
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The topology config file could not be read or planned on this
    /// machine (`PipelineConfiguration.load`); the error names the file, key and problem.
    case configFile(ConfigError)
    /// This machine's topology could not be discovered.
    case topology(TopologyError)
    /// `PipelineConfiguration.queueCapacity` is not a capacity the stage queues take.
    case queueCapacity(MPMCQueueError)
    /// The default precheck's worker pool (`precheckThreads` workers) could not start.
    case precheckWorkers(WorkerPoolError)
    /// The default executor (`executeThreads` workers) could not be made.
    case executeWorkers(ParallelExecutorError)
    /// The store refused a commit (the pipeline stops; later blocks are not committed).
    case commitFailed(StateStoreError)
    /// The executor gave up on a block (the pipeline stops; that block and
    /// later ones are not committed).
    case executionFailed(ExecutorFailure)
    /// `submit` after `finish`.
    case finished
    /// An async `submit` whose task was cancelled while it waited for room;
    /// the block was not submitted.
    case cancelled

    /// A sentence naming the problem.
    public var description: String {
        switch self {
        case .configFile(let error): "pipeline configuration: \(error)"
        case .topology(let error): "pipeline configuration: \(error)"
        case .queueCapacity(let error): "pipeline configuration: queueCapacity: \(error)"
        case .precheckWorkers(let error): "pipeline configuration: precheckThreads: \(error)"
        case .executeWorkers(let error): "pipeline configuration: executeThreads: \(error)"
        case .commitFailed(let error): "pipeline stopped: \(error)"
        case .executionFailed(let failure): "pipeline stopped: \(failure)"
        case .finished: "pipeline: submit after finish"
        case .cancelled: "pipeline: submit cancelled while waiting for room"
        }
    }
}
