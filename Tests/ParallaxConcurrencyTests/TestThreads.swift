import ParallaxTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body(i)` on `count` real threads (not a pool: blocking tests need
/// every participant running at once) and returns when all have finished.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Box {
        let body: @Sendable (Int) -> Void
        let index: Int
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int) { self.body = body; self.index = index }
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body, index)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body(box.index)
            return nil
        }, box)
        precondition(rc == 0, "pthread_create: \(rc)")
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}
