import ArgumentParser
import Parallax
import ParallaxWorkloads

/// Builds the workload `--workload` names from the options `run` and
/// `sweep` share, turning a parameter out of range into a validation error
/// that names the option.
struct WorkloadFactory {
    var kind: RunCommand.WorkloadKind
    var shape = WorkloadShape()
    var pools = 16
    var mix = MixedWorkload.Weights()
    /// Synthetic-only knobs (`--keys`, `--hot-prob`, ...).
    var synthetic = SyntheticWorkload.Parameters()

    func make() throws -> any Workload {
        do {
            switch kind {
            case .synthetic:
                var parameters = synthetic
                parameters.workNanoseconds = shape.workNanoseconds
                parameters.seed = shape.seed
                return try SyntheticWorkload(parameters)
            case .p2p: return try P2PWorkload(shape)
            case .erc20: return try ERC20Workload(shape)
            case .amm: return try AMMWorkload(shape, pools: pools)
            case .nft: return try NFTWorkload(shape)
            case .supplyChain: return try SupplyChainWorkload(shape)
            case .mixed: return try MixedWorkload(shape, weights: mix)
            }
        } catch {
            throw ValidationError("--\(error)")
        }
    }
}

extension RunCommand {
    var factory: WorkloadFactory {
        get throws {
            var factory = WorkloadFactory(kind: workload)
            factory.shape.accounts = accounts
            factory.shape.zipf = zipf
            factory.shape.hotShare = hotShare
            factory.shape.workNanoseconds = workNanoseconds
            factory.shape.seed = seed
            factory.shape.deltas = !noDeltas
            factory.shape.feeBeneficiary = !noFeeBeneficiary
            factory.shape.depositShare = depositShare
            factory.pools = pools
            if let mix {
                do { factory.mix = try MixedWorkload.Weights(parsing: mix) } catch { throw ValidationError("--\(error)") }
            }
            factory.synthetic.keys = keys
            factory.synthetic.hotProbability = hotProbability
            factory.synthetic.reads = reads
            factory.synthetic.writes = writes
            factory.synthetic.revertProbability = revertProbability
            return factory
        }
    }
}
