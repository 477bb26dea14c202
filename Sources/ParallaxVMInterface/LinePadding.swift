/// 128 bytes of nothing, declared as the last stored property of a small
/// object that one worker writes constantly (an arena cursor, a context's
/// gas counter, a scratch list's count).
///
/// Such objects are allocated one after another when the executor starts,
/// so without padding worker 0's last object and worker 1's first one can
/// share a cache line (or the adjacent line a pair-prefetching L2 pulls
/// with it), and every allocation or read of one worker would invalidate
/// the other's line. 128 trailing bytes keep the next allocation off both
/// lines whatever the allocator's placement.
package struct LinePadding {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    package init() {}
}
