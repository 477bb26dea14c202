// `import Parallax` is the one import a user needs: it re-exports the layers.
@_exported import ParallaxConcurrency
@_exported import ParallaxTopology
@_exported import ParallaxExecution
@_exported import ParallaxPrecheck
@_exported import ParallaxWorkloads
