/// A column's distinct fixed-width values (INT, LONG, FLOAT, DOUBLE as bit patterns) with ids in
/// insertion order: the first step of a dictionary, so that sorting and comparing happen once per
/// distinct value, never per row.
///
/// Values that arrive in non-decreasing Java order (ids, timestamps) need no hashing at all: the
/// table stays in "sorted run" mode, where a value equal to the last one gets its id and a larger
/// one a new id, until a smaller value arrives and the hash table is built from what is there.
struct DistinctNumbers {
    /// Bit patterns by id (INT sign-extended to 64 bits, FLOAT's 32 bits in the low half).
    private(set) var values: [UInt64] = []
    /// Open addressing, linear probing: 0 is empty, else id + 1. Empty while in sorted-run mode.
    private var slots: [UInt32] = []
    private var mask = 0
    /// True while every value so far came in non-decreasing order: `values` is then sorted.
    private(set) var isSortedRun = true
    let order: NumberOrder

    init(order: NumberOrder) { self.order = order }

    var count: Int { values.count }

    /// The id of `bits`, inserting it when new.
    @inline(__always)
    mutating func id(of bits: UInt64) -> UInt32 {
        if isSortedRun {
            guard let last = values.last else {
                values.append(bits)
                return 0
            }
            if last == bits { return UInt32(values.count - 1) }
            if order.key(bits) > order.key(last) {
                values.append(bits)
                return UInt32(values.count - 1)
            }
            leaveSortedRun()
        }
        var slot = Int(truncatingIfNeeded: Self.hash(bits)) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if values[Int(entry - 1)] == bits { return entry - 1 }
            slot = (slot + 1) & mask
        }
        let id = UInt32(values.count)
        values.append(bits)
        slots[slot] = id + 1
        if values.count * 2 > slots.count { grow() }
        return id
    }

    private mutating func leaveSortedRun() {
        isSortedRun = false
        rebuild(capacity: Swift.max(16, (values.count * 2).roundedUpToPowerOfTwo))
    }

    private mutating func grow() { rebuild(capacity: slots.count * 2) }

    private mutating func rebuild(capacity: Int) {
        slots = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
        for (id, bits) in values.enumerated() {
            var slot = Int(truncatingIfNeeded: Self.hash(bits)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(id + 1)
        }
    }

    /// Keeps only the ids where `keep` is true, renumbered in order; returns old id → new id
    /// (`UInt32.max` for dropped ids).
    mutating func compact(keep: [Bool]) -> [UInt32] {
        var remap = [UInt32](repeating: .max, count: values.count)
        var kept: [UInt64] = []
        kept.reserveCapacity(values.count)
        for (id, bits) in values.enumerated() where keep[id] {
            remap[id] = UInt32(kept.count)
            kept.append(bits)
        }
        values = kept
        if !isSortedRun { rebuild(capacity: Swift.max(16, (values.count * 2).roundedUpToPowerOfTwo)) }
        return remap
    }

    var estimatedBytes: Int { values.capacity * 8 + slots.capacity * 4 }

    @inline(__always)
    static func hash(_ bits: UInt64) -> UInt64 {
        var x = bits &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x &>> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x &>> 31)
    }
}

/// Java's order of a fixed-width type as an unsigned key: signed integers with the sign bit
/// flipped, IEEE floats with the usual sign-magnitude flip (NaN and -0.0 never get here).
enum NumberOrder: Sendable {
    case signed, float32, float64

    @inline(__always)
    func key(_ bits: UInt64) -> UInt64 {
        switch self {
        case .signed: return bits ^ (1 << 63)
        case .float32:
            let b = UInt32(truncatingIfNeeded: bits)
            return UInt64(b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000)
        case .float64: return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        }
    }
}

/// A column's distinct variable-width values (STRING, JSON, BYTES, BIG_DECIMAL bytes) with ids in
/// insertion order, all in one byte buffer: hashing raw memory, no allocation per value.
struct DistinctBytes {
    private(set) var data: [UInt8] = []
    /// `offsets[id] ..< offsets[id + 1]`: 64-bit, so a column may hold more than 2 GiB.
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt32] = []
    private var slots: [UInt32] = []
    private var mask = 0
    /// The longest value's length in bytes.
    private(set) var longest = 0

    init() {
        slots = [UInt32](repeating: 0, count: 16)
        mask = 15
    }

    var count: Int { offsets.count - 1 }

    func length(_ id: Int) -> Int { offsets[id + 1] - offsets[id] }

    /// The bytes of `id` (allocates: for metadata and tests, not per row).
    func bytes(_ id: Int) -> [UInt8] { Array(data[offsets[id]..<offsets[id + 1]]) }

    /// The id of `bytes`, inserting them when new.
    @inline(__always)
    mutating func id(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let hash = UInt32(truncatingIfNeeded: Self.hash(bytes))
        var slot = Int(hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let id = Int(entry - 1)
            if hashes[id] == hash && equals(id, bytes) { return entry - 1 }
            slot = (slot + 1) & mask
        }
        let id = UInt32(count)
        data.append(contentsOf: bytes)
        offsets.append(data.count)
        hashes.append(hash)
        if bytes.count > longest { longest = bytes.count }
        slots[slot] = id + 1
        if count * 2 > slots.count { rebuild(capacity: slots.count * 2) }
        return id
    }

    mutating func id(of bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { id(of: $0) }
    }

    @inline(__always)
    private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[id]
        let length = offsets[id + 1] - start
        guard length == bytes.count else { return false }
        if length == 0 { return true }
        return data.withUnsafeBytes { memcmp($0.baseAddress! + start, bytes.baseAddress!, length) == 0 }
    }

    private mutating func rebuild(capacity: Int) {
        slots = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(id + 1)
        }
    }

    /// Keeps only the ids where `keep` is true, renumbered in order; returns old id → new id
    /// (`UInt32.max` for dropped ids).
    mutating func compact(keep: [Bool]) -> [UInt32] {
        var remap = [UInt32](repeating: .max, count: count)
        var kept = DistinctBytes()
        data.withUnsafeBytes { raw in
            for id in 0..<count where keep[id] {
                remap[id] = kept.id(of: UnsafeRawBufferPointer(rebasing: raw[offsets[id]..<offsets[id + 1]]))
            }
        }
        self = kept
        return remap
    }

    var totalBytes: Int { data.count }
    var estimatedBytes: Int { data.capacity + offsets.capacity * 8 + hashes.capacity * 4 + slots.capacity * 4 }

    /// A fast 64-bit hash of raw bytes (not for adversarial keys: a column's own values).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ (UInt64(n) &* 0xFF51_AFD7_ED55_8CCD)
        guard let base = bytes.baseAddress else { return DistinctNumbers.hash(h) }
        var i = 0
        while i + 8 <= n {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9FB2_1C65_1E98_DF25
            h ^= h &>> 29
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &<< shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x9FB2_1C65_1E98_DF25
        }
        return DistinctNumbers.hash(h)
    }
}

#if canImport(Glibc)
import Glibc
#endif
