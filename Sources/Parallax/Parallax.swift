// `import Parallax` is the one import a user needs: it re-exports the layers.
@_exported import ParallaxConcurrency
@_exported import ParallaxExecution
@_exported import ParallaxWorkloads
