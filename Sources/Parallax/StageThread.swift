import ParallaxTopology
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One pipeline stage's thread: a pthread running `body` to completion,
/// optionally pinned to a PU of the placement plan. `join` waits for it.
final class StageThread {
    private final class Start {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private var thread = pthread_t()

    /// Starts the thread; `pu` pins it (a failed pin is logged by the caller
    /// through `onPinFailure` and the stage runs unpinned).
    init(pu: PUIndex?, onPinFailure: @escaping @Sendable (AffinityError) -> Void, _ body: @escaping @Sendable () -> Void) {
        let start = Start {
            if let pu {
                do throws(AffinityError) { try ThreadAffinity.pinCurrentThread(to: pu) } catch { onPinFailure(error) }
            }
            body()
        }
        let rc = pthread_create(&thread, nil, { argument in
            Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, Unmanaged.passRetained(start).toOpaque())
        precondition(rc == 0, "pthread_create failed (\(rc))")
    }

    func join() { pthread_join(thread, nil) }

    /// Lets the thread end on its own (nobody joins it).
    func detach() { pthread_detach(thread) }
}
