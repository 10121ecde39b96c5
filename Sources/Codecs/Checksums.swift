import CZlib

/// Checksums over raw memory through zlib (vectorised there).
public enum Checksums {
    /// Adler-32 (RFC 1950) continued from `value` (1 to start), as Java's `java.util.zip.Adler32`.
    public static func adler32(_ value: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var result = UInt(value)
        var remaining = bytes
        while !remaining.isEmpty {
            let piece = UnsafeRawBufferPointer(rebasing: remaining.prefix(1 << 30))
            result = CZlib.adler32(result, piece.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(piece.count))
            remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst(piece.count))
        }
        return UInt32(truncatingIfNeeded: result)
    }
}
