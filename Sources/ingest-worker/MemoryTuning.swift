import CMalloc

/// Keeps freed large buffers in the heap for reuse instead of returning them to the kernel:
/// decoding allocates column-sized arrays for every row group, and with glibc's defaults each
/// one is a fresh mmap whose pages fault in again (a quarter of decode time in profiles).
enum MemoryTuning {
    static func apply() {
        _ = mallopt(M_MMAP_THRESHOLD, 512 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    }
}
