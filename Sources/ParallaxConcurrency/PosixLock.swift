#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pthread mutex with a scoped `withLock`.
///
/// Used instead of `Synchronization.Mutex` for cold-path locks that threads
/// contend for (the worker pool's, the async pipeline's, the LMDB readers'
/// registry) because ThreadSanitizer intercepts pthread mutexes but cannot
/// see inside the prebuilt Synchronization module: a contended `Mutex` takes
/// its futex slow path there, and every access it orders is reported as a
/// race, which would hide real ones in `swift test --sanitize=thread`.
public final class PosixLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
}
