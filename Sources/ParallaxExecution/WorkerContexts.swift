/// The execution contexts of an executor's workers, one per worker, whose
/// reader is that worker.
///
/// A context holds its worker (strongly, as its reader) and the worker never
/// holds its context, so the executor keeps the two side by side and hands
/// each worker its context when a broadcast runs it. `@unchecked Sendable`:
/// a context is used only by the thread that runs its worker's share of the
/// broadcast, one block at a time (the broadcast orders consecutive uses).
struct WorkerContexts: @unchecked Sendable {
    private let contexts: [ExecutionContext]

    /// One context per reader, in worker order, with `enforcesDeclarations` set as given.
    init(readers: [any ContextReader], enforcingDeclarations: Bool) {
        contexts = readers.map { reader in
            let context = ExecutionContext(reader: reader)
            context.enforcesDeclarations = enforcingDeclarations
            return context
        }
    }

    subscript(worker: Int) -> ExecutionContext { contexts[worker] }
}
