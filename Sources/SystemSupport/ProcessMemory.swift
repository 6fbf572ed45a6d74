import CZmeshShims

/// Process-wide allocator settings.
public enum ProcessMemory {
    /// Caps glibc's malloc arenas at `count` for the rest of the process (`mallopt(M_ARENA_MAX)`).
    ///
    /// glibc gives each thread that allocates while the others' arenas are busy an arena of its own
    /// (up to 8 per core), each a 64 MiB reservation of which a few hundred KiB to over a MiB stay
    /// resident for good. A daemon with a dozen mostly idle threads keeps ~1 MiB per thread that way;
    /// with a small cap the threads share. Call it first thing, before other threads start: arenas
    /// made before the call stay. Returns whether the allocator took the setting (`false` on a C
    /// library without arenas, e.g. musl).
    @discardableResult
    public static func limitArenas(_ count: Int) -> Bool {
        zmesh_set_malloc_arena_max(Int32(clamping: max(count, 1))) == 1
    }
}
