#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pthread mutex with a scoped `withLock`.
///
/// Used instead of `Synchronization.Mutex` for the pool's cold-path locks
/// because ThreadSanitizer intercepts pthread mutexes but cannot see inside
/// the prebuilt Synchronization module: with `Mutex`, every access the lock
/// orders is reported as a race, which would hide real ones in
/// `swift test --sanitize=thread`.
final class PosixLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
}
