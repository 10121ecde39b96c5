/// A stable 64-bit FNV-1a hash as 16 hex digits (step ids of S3 data lake listings).
enum StableHash {
    static func hex(_ parts: [String]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01B3
            }
            hash ^= 0xFF
            hash = hash &* 0x100_0000_01B3
        }
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
