// `import Parallax` is the one import a user needs: it re-exports the layers
// (configuration, the executors and the `Transaction` protocol, prechecks,
// the state stores, the built-in contracts and workloads) next to the pipeline
// defined here.
@_exported import ParallaxConcurrency
@_exported import ParallaxTopology
@_exported import ParallaxConfig
@_exported import ParallaxExecution
@_exported import ParallaxPrecheck
@_exported import ParallaxState
@_exported import ParallaxContracts
@_exported import ParallaxWorkloads
@_exported import Logging
