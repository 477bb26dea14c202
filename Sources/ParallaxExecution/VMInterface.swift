// The executors take and return the types of the VM-facing contract
// (`Transaction`, `ExecutionContext`, `TransactionOutput`, `StateKey`...), so
// a caller of the engine sees them without a second import.
@_exported import ParallaxVMInterface
