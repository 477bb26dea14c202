// The EVM: being written.
