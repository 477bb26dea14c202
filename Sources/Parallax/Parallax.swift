// `import Parallax` is the one import a node author needs: next to the
// pipeline defined here, it re-exports the modules that are user-facing as a
// whole (the VM interface, the built-in contracts, the state stores) and,
// from the other layers, only the types the pipeline's API is made of or a
// caller configures it with. Not re-exported: the engines' building blocks
// (queues, kernels, batch hashers), the benchmark workloads
// (`import ParallaxWorkloads`) and Logging (`import Logging` to pass a
// `Logger`).

// What a VM implements and calls: `Transaction`, `ExecutionContext`, keys,
// values, events, outcomes, gas schedules, deltas, declarations.
@_exported import ParallaxVMInterface
// The built-in contracts (token, payment, swap, collectible, custody).
@_exported import ParallaxContracts
// `StateStore`: in memory and LMDB, heights, errors.
@_exported import ParallaxState

// The executors and their results.
@_exported import protocol ParallaxExecution.BlockExecutor
@_exported import class ParallaxExecution.ParallelExecutor
@_exported import class ParallaxExecution.SequentialExecutor
@_exported import class ParallaxExecution.AdaptiveExecutor
@_exported import struct ParallaxExecution.AdaptiveReport
@_exported import class ParallaxExecution.DeclaredAccessExecutor
@_exported import enum ParallaxExecution.ParallelExecutorError
@_exported import enum ParallaxExecution.ExecutorFailure
@_exported import struct ParallaxExecution.BlockOutput
@_exported import struct ParallaxExecution.ExecutionStatistics
@_exported import protocol ParallaxExecution.StateView
@_exported import struct ParallaxExecution.InMemoryState
@_exported import struct ParallaxExecution.StateDelta
@_exported import struct ParallaxExecution.StateRoot
@_exported import struct ParallaxExecution.StateCommitment

// Prechecks: the envelope, its fields and limits, keys and signatures, and
// why an envelope is refused.
@_exported import struct ParallaxPrecheck.PackedMessages
@_exported import struct ParallaxPrecheck.UnsignedTransaction
@_exported import struct ParallaxPrecheck.SignedTransaction
@_exported import struct ParallaxPrecheck.TransactionEnvelope
@_exported import struct ParallaxPrecheck.VerifiedTransaction
@_exported import struct ParallaxPrecheck.TransactionHash
@_exported import struct ParallaxPrecheck.ChainID
@_exported import struct ParallaxPrecheck.Nonce
@_exported import struct ParallaxPrecheck.GasLimit
@_exported import struct ParallaxPrecheck.Fee
@_exported import struct ParallaxPrecheck.SenderKey
@_exported import struct ParallaxPrecheck.PublicKey
@_exported import struct ParallaxPrecheck.Signature
@_exported import enum ParallaxPrecheck.SignatureScheme
@_exported import enum ParallaxPrecheck.SignatureError
@_exported import enum ParallaxPrecheck.SignatureFailure
@_exported import enum ParallaxPrecheck.Ed25519
@_exported import enum ParallaxPrecheck.Secp256k1
@_exported import struct ParallaxPrecheck.EnvelopeLimits
@_exported import enum ParallaxPrecheck.EnvelopeError
@_exported import enum ParallaxPrecheck.EnvelopeField
@_exported import enum ParallaxPrecheck.PrecheckRejection
@_exported import struct ParallaxPrecheck.PrecheckRules

// Machines and placement, as `PipelineConfiguration` takes them, the
// worker pool every executor runs on, and the topology file.
@_exported import struct ParallaxConcurrency.NodeID
@_exported import struct ParallaxTopology.Topology
@_exported import enum ParallaxTopology.TopologyError
@_exported import struct ParallaxTopology.CPUSet
@_exported import struct ParallaxTopology.PUIndex
@_exported import struct ParallaxTopology.PlacementRequest
@_exported import struct ParallaxTopology.PoolRequest
@_exported import enum ParallaxTopology.PoolName
@_exported import enum ParallaxTopology.PoolSize
@_exported import enum ParallaxTopology.PlacementPolicy
@_exported import enum ParallaxTopology.SMTUse
@_exported import struct ParallaxTopology.PlacementPlan
@_exported import struct ParallaxTopology.PlacementError
@_exported import struct ParallaxTopology.WorkerPlacement
@_exported import class ParallaxTopology.WorkerPool
@_exported import enum ParallaxTopology.WorkerPoolError
@_exported import struct ParallaxConfig.TopologyConfig
@_exported import struct ParallaxConfig.ConfigError
// Types the API above names (a pool's worker context and statistics, the
// identifiers of a placement, the errors its initializers throw), so that
// `import Parallax` alone can name them.
@_exported import struct ParallaxTopology.WorkerContext
@_exported import struct ParallaxTopology.WorkerStatistics
@_exported import struct ParallaxTopology.NodeStatistics
@_exported import struct ParallaxTopology.CPUListError
@_exported import enum ParallaxTopology.AffinityError
@_exported import struct ParallaxTopology.CoreID
@_exported import struct ParallaxTopology.L3ID
@_exported import struct ParallaxTopology.PackageID
@_exported import struct ParallaxTopology.WorkerID
@_exported import enum ParallaxConcurrency.MPMCQueueError
@_exported import class ParallaxPrecheck.PrecheckStage
@_exported import struct ParallaxPrecheck.Digest32
