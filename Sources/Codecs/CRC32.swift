import CZlib

/// CRC-32 (ISO 3309 / ITU-T V.42, the polynomial zlib and Parquet page headers use).
public enum CRC32 {
    /// The CRC-32 of `bytes`, continuing from `initial` (0 for a fresh checksum).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return initial }
        var crc = UInt(initial)
        var offset = 0
        while offset < bytes.count {
            let step = min(bytes.count - offset, Int(UInt32.max))
            crc = crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), UInt32(step))
            offset += step
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
