import CLMDB
import ParallaxConcurrency
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The read transactions of one `LMDBStateStore`: one per thread that reads,
/// kept open between reads and renewed (`mdb_txn_reset` + `mdb_txn_renew`,
/// no allocation) only when the store has committed since, so the reads of
/// one block on one worker run in one read transaction instead of opening
/// one per key.
///
/// Freshness: `commit` bumps `generation` (release) after `mdb_txn_commit`
/// returns; a read loads it (acquire) and renews its thread's transaction
/// when it changed, so it sees every commit that returned before the read
/// began: what `StateStore.read` promises.
///
/// Lifetime: each thread's reader is in the registry. A thread that exits
/// aborts its transaction (the TLS destructor); the store's deinit aborts
/// every transaction still open and marks the readers closed, so a thread
/// that exits later does nothing. A thread idle after a read keeps its old
/// snapshot open until its next read or its exit (LMDB cannot reuse the pages
/// that snapshot still sees: at most one block's churn per idle thread).
final class LMDBReaders: @unchecked Sendable {
    /// Used by its own thread; `closed` and, once closed, `transaction` by the registry under its lock.
    final class Reader: @unchecked Sendable {
        var transaction: OpaquePointer?
        var generation: UInt64 = .max
        /// Set under the registry's lock when the environment closes.
        var closed = false
        /// Strong: a thread may exit while the store closes; the registry's
        /// entries (cleared by `closeAll` or `retire`) break the cycle.
        let owner: LMDBReaders
        init(owner: LMDBReaders) { self.owner = owner }
    }

    private let environment: OpaquePointer
    private var key = pthread_key_t()
    /// Bumped after every commit of this handle.
    let generation = Atomic<UInt64>(0)
    /// Readers by identity, guarded by `registryLock` (a pthread lock, see `PosixLock`).
    private let registryLock = PosixLock()
    private var registry: [ObjectIdentifier: Reader] = [:]

    init(environment: OpaquePointer) {
        self.environment = environment
        // The destructor runs on the exiting thread with its reader (retained).
        let rc = pthread_key_create(&key) { raw in
            guard let raw else { return }
            let reader = Unmanaged<Reader>.fromOpaque(raw).takeRetainedValue()
            reader.owner.retire(reader)
        }
        precondition(rc == 0, "pthread_key_create: \(rc)")
    }

    /// Aborts every open transaction; call before `mdb_env_close`.
    func closeAll() {
        let readers = registryLock.withLock {
            defer { registry.removeAll() }
            for reader in registry.values { reader.closed = true }
            return Array(registry.values)
        }
        for reader in readers where reader.transaction != nil {
            mdb_txn_abort(reader.transaction)
            reader.transaction = nil
        }
        pthread_key_delete(key)
    }

    /// A thread exits: abort its transaction unless the store closed first.
    private func retire(_ reader: Reader) {
        let open = registryLock.withLock { () -> Bool in
            guard !reader.closed else { return false }
            registry[ObjectIdentifier(reader)] = nil
            return true
        }
        if open, let transaction = reader.transaction { mdb_txn_abort(transaction) }
        reader.transaction = nil
    }

    /// The calling thread's read transaction, renewed if the store committed
    /// since it was last used.
    func transaction() throws(StateStoreError) -> OpaquePointer? {
        let reader: Reader
        if let raw = pthread_getspecific(key) {
            reader = Unmanaged<Reader>.fromOpaque(raw).takeUnretainedValue()
        } else {
            reader = Reader(owner: self)
            registryLock.withLock { registry[ObjectIdentifier(reader)] = reader }
            pthread_setspecific(key, Unmanaged.passRetained(reader).toOpaque())
        }
        // Acquire pairs with commit's release increment.
        let current = generation.load(ordering: .acquiring)
        if reader.generation == current, let transaction = reader.transaction { return transaction }
        if let transaction = reader.transaction {
            mdb_txn_reset(transaction)
            let rc = mdb_txn_renew(transaction)
            guard rc == 0 else {
                mdb_txn_abort(transaction)
                reader.transaction = nil
                throw .lmdb(operation: "mdb_txn_renew", code: rc, message: LMDBStateStore.message(rc))
            }
        } else {
            var transaction: OpaquePointer?
            let rc = mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &transaction)
            guard rc == 0 else { throw .lmdb(operation: "mdb_txn_begin", code: rc, message: LMDBStateStore.message(rc)) }
            reader.transaction = transaction
        }
        reader.generation = current
        return reader.transaction
    }

    /// The number of threads holding a reader (tests).
    var count: Int { registryLock.withLock { registry.count } }
}
