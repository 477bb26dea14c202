import CLMDB
import ParallaxExecution

/// A durable state store in an LMDB environment (one B+tree file in a
/// directory).
///
/// ## Layout
/// One unnamed database. State entries: the 32 key bytes (`StateKey.bytes`,
/// big-endian words, so LMDB's byte order is the key order) map to the value
/// bytes. One metadata record under the 8-byte key `"px.meta\0"` (shorter
/// than any state key, so it never collides): height (8 bytes) ‖ commitment
/// sum (4 × 8 bytes) ‖ commitment count (8 bytes), all little-endian.
///
/// ## Atomicity
/// A commit is one LMDB write transaction: it checks the stored height, reads
/// each written key's old value (to update the commitment), puts or deletes
/// the entries, and rewrites the metadata record; then `mdb_txn_commit`.
/// LMDB's copy-on-write pages and its two alternating meta pages make that
/// transaction all-or-nothing across a crash: a process killed at any moment
/// leaves the last committed block and never part of the next. With
/// `durable: true` (the default) the commit also survives a power loss
/// (`fsync` before `mdb_txn_commit` returns); `durable: false` opens the
/// environment with `MDB_NOSYNC`, which keeps the all-or-nothing guarantee
/// against process crashes and leaves flushing to the OS.
///
/// ## Concurrency
/// `read` uses the calling thread's read-only transaction (`LMDBReaders`:
/// one per thread, renewed only after a commit of this handle, so one block's
/// reads on one worker share one transaction; `MDB_NOTLS`), which sees the
/// last committed block even while a commit runs.
/// Height and commitment are cached in memory behind a lock and replaced when
/// a commit returns. Commits are serialized by LMDB's writer lock.
public final class LMDBStateStore: StateStore, @unchecked Sendable {
    /// The environment's directory.
    public let path: String
    private let environment: OpaquePointer
    private let database: MDB_dbi
    private let lock = ReadWriteLock()
    private let readers: LMDBReaders
    // Guarded by `lock`; mirrors the metadata record of the last commit.
    private var committedHeight: BlockHeight
    private var committedCommitment: StateCommitment

    static let metaKey: [UInt8] = Array("px.meta".utf8) + [0]
    static let metaBytes = 48

    /// Opens (creating if needed) the store in directory `path`, which must
    /// exist. A new store is initialized with `genesis` at height 0 in one
    /// transaction; an existing one keeps its state and `genesis` is ignored.
    /// `mapSize` is LMDB's maximum database size in bytes.
    public init(path: String, genesis: InMemoryState = InMemoryState(), mapSize: Int = 1 << 32, durable: Bool = true)
        throws(StateStoreError)
    {
        self.path = path
        var environment: OpaquePointer?
        try LMDBStateStore.check(mdb_env_create(&environment), "mdb_env_create")
        guard let environment else { throw .lmdb(operation: "mdb_env_create", code: -1, message: "no environment") }
        do throws(StateStoreError) {
            try LMDBStateStore.check(mdb_env_set_mapsize(environment, mapSize), "mdb_env_set_mapsize")
            // Every executor worker may hold a read transaction at once (LMDB's default is 126).
            try LMDBStateStore.check(mdb_env_set_maxreaders(environment, 1024), "mdb_env_set_maxreaders")
            var flags = UInt32(MDB_NOTLS)
            if !durable { flags |= UInt32(MDB_NOSYNC) }
            try LMDBStateStore.check(mdb_env_open(environment, path, flags, 0o644), "mdb_env_open(\(path))")
            var transaction: OpaquePointer?
            try LMDBStateStore.check(mdb_txn_begin(environment, nil, 0, &transaction), "mdb_txn_begin")
            var database: MDB_dbi = 0
            var meta: (BlockHeight, StateCommitment)?
            do throws(StateStoreError) {
                try LMDBStateStore.check(mdb_dbi_open(transaction, nil, 0, &database), "mdb_dbi_open")
                meta = try LMDBStateStore.readMeta(transaction, database)
                if meta == nil {
                    for (key, value) in genesis.entries { try LMDBStateStore.put(transaction, database, key, value) }
                    try LMDBStateStore.writeMeta(transaction, database, .genesis, genesis.commitment)
                    meta = (.genesis, genesis.commitment)
                }
            } catch {
                mdb_txn_abort(transaction)
                throw error
            }
            try LMDBStateStore.check(mdb_txn_commit(transaction), "mdb_txn_commit")
            self.environment = environment
            self.database = database
            readers = LMDBReaders(environment: environment)
            (committedHeight, committedCommitment) = meta!
        } catch {
            mdb_env_close(environment)
            throw error
        }
    }

    deinit {
        readers.closeAll()
        mdb_env_close(environment)
    }

    /// Height of the last committed block.
    public var height: BlockHeight { lock.withReadLock { committedHeight } }

    /// Commitment of the committed state.
    public var commitment: StateCommitment { lock.withReadLock { committedCommitment } }

    /// Value under `key` in the last committed block's state. A failing LMDB
    /// read (which only an environment closed underneath or a full reader
    /// table can cause) stops the process: a base state must not invent an
    /// absent key.
    public func read(_ key: StateKey) -> StateValue? {
        do throws(StateStoreError) {
            return try LMDBStateStore.get(try readers.transaction(), database, key)
        } catch {
            preconditionFailure("LMDB read: \(error)")
        }
    }

    /// Threads holding a read transaction of this store (for tests).
    var readerThreads: Int { readers.count }

    /// Applies `delta` as the block at `height` in one LMDB write
    /// transaction; see `StateStore`.
    @discardableResult
    public func commit(_ delta: StateDelta, height: BlockHeight, expectedRoot: StateRoot? = nil) throws(StateStoreError) -> StateRoot {
        var transaction: OpaquePointer?
        try LMDBStateStore.check(mdb_txn_begin(environment, nil, 0, &transaction), "mdb_txn_begin")
        let commitment: StateCommitment
        do throws(StateStoreError) {
            // The stored height, not the cache: another handle may share the file.
            guard let (stored, storedCommitment) = try LMDBStateStore.readMeta(transaction, database) else {
                throw .corrupt("metadata record missing")
            }
            guard height == stored.next else { throw .unexpectedHeight(expected: stored.next, given: height) }
            var updated = storedCommitment
            for write in delta.writes {
                let old = try LMDBStateStore.get(transaction, database, write.key)
                updated.update(write.key, from: old, to: write.value)
                if let value = write.value {
                    try LMDBStateStore.put(transaction, database, write.key, value)
                } else if old != nil {
                    try LMDBStateStore.check(LMDBStateStore.withKey(write.key) { mdb_del(transaction, database, $0, nil) }, "mdb_del")
                }
            }
            if let expectedRoot, updated.root != expectedRoot {
                throw .stateRootMismatch(height: height, expected: expectedRoot, computed: updated.root)
            }
            try LMDBStateStore.writeMeta(transaction, database, height, updated)
            commitment = updated
        } catch {
            mdb_txn_abort(transaction)
            throw error
        }
        try LMDBStateStore.check(mdb_txn_commit(transaction), "mdb_txn_commit")
        // Release pairs with the readers' acquire load: a read that begins
        // after this sees the commit (its thread renews its transaction).
        readers.generation.add(1, ordering: .releasing)
        lock.withWriteLock {
            committedHeight = height
            committedCommitment = commitment
        }
        return commitment.root
    }

    /// Every state entry, read in one transaction (for tests and tools).
    public func allEntries() throws(StateStoreError) -> [StateKey: StateValue] {
        var transaction: OpaquePointer?
        try LMDBStateStore.check(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &transaction), "mdb_txn_begin")
        defer { mdb_txn_abort(transaction) }
        var cursor: OpaquePointer?
        try LMDBStateStore.check(mdb_cursor_open(transaction, database, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var result: [StateKey: StateValue] = [:]
        var key = MDB_val()
        var data = MDB_val()
        var rc = mdb_cursor_get(cursor, &key, &data, MDB_FIRST)
        while rc == 0 {
            let keyBytes = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
            if !keyBytes.elementsEqual(LMDBStateStore.metaKey) {
                guard let stateKey = try? StateKey(bytes: keyBytes) else {
                    throw .corrupt("an entry key has \(key.mv_size) bytes, state keys have 32")
                }
                result[stateKey] = StateValue(Array(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size)))
            }
            rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
        }
        guard rc == MDB_NOTFOUND else { throw .lmdb(operation: "mdb_cursor_get", code: rc, message: LMDBStateStore.message(rc)) }
        return result
    }

    // MARK: LMDB helpers

    static func message(_ code: Int32) -> String { String(cString: mdb_strerror(code)) }

    static func check(_ code: Int32, _ operation: String) throws(StateStoreError) {
        guard code == 0 else { throw .lmdb(operation: operation, code: code, message: message(code)) }
    }

    /// Calls `body` with an `MDB_val` over the key's 32 bytes (on the stack).
    static func withKey<Result>(_ key: StateKey, _ body: (UnsafeMutablePointer<MDB_val>) -> Result) -> Result {
        var words = (key.w0.bigEndian, key.w1.bigEndian, key.w2.bigEndian, key.w3.bigEndian)
        return withUnsafeMutableBytes(of: &words) { raw in
            var value = MDB_val(mv_size: 32, mv_data: raw.baseAddress)
            return body(&value)
        }
    }

    static func get(_ transaction: OpaquePointer?, _ database: MDB_dbi, _ key: StateKey) throws(StateStoreError) -> StateValue? {
        var data = MDB_val()
        let rc = withKey(key) { mdb_get(transaction, database, $0, &data) }
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get")
        return StateValue(Array(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size)))
    }

    static func put(_ transaction: OpaquePointer?, _ database: MDB_dbi, _ key: StateKey, _ value: StateValue) throws(StateStoreError) {
        let rc = value.withUnsafeBytes { bytes in
            withKey(key) { keyValue in
                var data = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                return mdb_put(transaction, database, keyValue, &data, 0)
            }
        }
        try check(rc, "mdb_put")
    }

    static func readMeta(_ transaction: OpaquePointer?, _ database: MDB_dbi) throws(StateStoreError) -> (BlockHeight, StateCommitment)? {
        var data = MDB_val()
        var key = metaKey
        let rc = key.withUnsafeMutableBytes { raw in
            var keyValue = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
            return mdb_get(transaction, database, &keyValue, &data)
        }
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get(meta)")
        guard data.mv_size == metaBytes else { throw .corrupt("metadata record has \(data.mv_size) bytes, expected \(metaBytes)") }
        let raw = UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size)
        func word(_ index: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self)) }
        var commitment = StateCommitment()
        commitment.sum = (word(1), word(2), word(3), word(4))
        commitment.count = word(5)
        return (BlockHeight(word(0)), commitment)
    }

    static func writeMeta(_ transaction: OpaquePointer?, _ database: MDB_dbi, _ height: BlockHeight, _ commitment: StateCommitment)
        throws(StateStoreError)
    {
        var words = (height.rawValue.littleEndian, commitment.sum.0.littleEndian, commitment.sum.1.littleEndian,
                     commitment.sum.2.littleEndian, commitment.sum.3.littleEndian, commitment.count.littleEndian)
        var key = metaKey
        let rc = key.withUnsafeMutableBytes { keyRaw in
            withUnsafeMutableBytes(of: &words) { raw in
                var keyValue = MDB_val(mv_size: keyRaw.count, mv_data: keyRaw.baseAddress)
                var data = MDB_val(mv_size: raw.count, mv_data: raw.baseAddress)
                return mdb_put(transaction, database, &keyValue, &data, 0)
            }
        }
        try check(rc, "mdb_put(meta)")
    }
}
