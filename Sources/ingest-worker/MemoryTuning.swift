import CMalloc
import Foundation

/// glibc's malloc, tuned for column-sized buffers:
/// - buffers under 32 MiB (decoded column chunks, a row group's pages) come from the heap and
///   are reused from row group to row group instead of being a fresh mmap whose pages fault in
///   again each time (a quarter of decode time in profiles with glibc's 128 KiB default);
/// - larger ones (a segment's distinct-value tables and id arrays) are mmapped, so growing one
///   is an mremap without a copy and freeing one returns it, instead of leaving holes in the heap
///   that count in the peak;
/// - freed heap memory stays (trim threshold 1 GiB), and threads share few arenas (one per four
///   cores), so memory freed by one stage's thread is reused by another's.
enum MemoryTuning {
    static func apply() {
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
        _ = mallopt(M_ARENA_MAX, Int32(max(1, ProcessInfo.processInfo.activeProcessorCount / 4)))
    }
}
