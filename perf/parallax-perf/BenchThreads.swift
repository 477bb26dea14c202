import Parallax
import ParallaxConcurrency
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body(i)` on `count` fresh threads that start together, and returns
/// the seconds from the common start to the last thread's end.
func runTimedThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Double {
    final class Gate: Sendable {
        let ready = Atomic<Int>(0)
        let go = Atomic<Bool>(false)
    }
    final class Context {
        let body: @Sendable (Int) -> Void
        let index: Int
        let gate: Gate
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int, _ gate: Gate) {
            self.body = body; self.index = index; self.gate = gate
        }
    }
    let gate = Gate()
    var threads: [pthread_t] = []
    for index in 0..<count {
        let context = Unmanaged.passRetained(Context(body, index, gate)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
            context.gate.ready.add(1, ordering: .relaxed)
            // Acquire pairs with the coordinator's release store of `go`.
            while !context.gate.go.load(ordering: .acquiring) { sched_yield() }
            context.body(context.index)
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        threads.append(thread)
    }
    while gate.ready.load(ordering: .relaxed) < count { sched_yield() }
    let start = MonotonicClock.nanoseconds()
    gate.go.store(true, ordering: .releasing)
    for thread in threads { pthread_join(thread, nil) }
    return Double(MonotonicClock.nanoseconds() - start) * 1e-9
}
