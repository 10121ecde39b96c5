import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// A column's distinct fixed-width values (INT, LONG, FLOAT, DOUBLE as bit patterns) with ids in
/// insertion order: the first step of a dictionary, so that sorting and comparing happen once per
/// distinct value, never per row.
///
/// Values that arrive in non-decreasing Java order (ids, timestamps) need no hashing at all: the
/// table stays in "sorted run" mode, where a value equal to the last one gets its id and a larger
/// one a new id, until a smaller value arrives and the hash table is built from what is there.
///
/// Storage is managed by hand (raw buffers grown with `realloc` on the rare insert that finds them
/// full), so ``id(of:)`` runs on raw pointers. Not thread-safe; a column owns its table.
final class NumberTable: @unchecked Sendable {
    let order: NumberOrder
    private(set) var count = 0
    private var capacity = 0
    private var values: UnsafeMutablePointer<UInt64>
    /// Open addressing, linear probing: 0 is empty, else id + 1. Unused while in sorted-run mode.
    private var slots: UnsafeMutablePointer<UInt32>?
    private var slotMask = 0
    private var lastKey: UInt64 = 0
    /// True while every value so far came in non-decreasing order: the values are then sorted.
    private(set) var isSortedRun = true
    /// The most values the table will hold (the segment's expected rows): growth stops there.
    var limit = Int.max

    init(order: NumberOrder) {
        self.order = order
        values = Self.grow(nil, to: 16)
        capacity = 16
    }

    deinit {
        free(values)
        slots?.deallocate()
    }

    /// `realloc`: large buffers grow in place where the heap allows, without a copy.
    static func grow<T>(_ pointer: UnsafeMutablePointer<T>?, to count: Int) -> UnsafeMutablePointer<T> {
        guard let raw = realloc(pointer, count * MemoryLayout<T>.stride) else { fatalError("out of memory growing a column to \(count) values") }
        return raw.assumingMemoryBound(to: T.self)
    }

    /// Grows the values (and the hash table in hash mode) when full.
    @inline(never)
    private func growForInsert() {
        if count == capacity {
            let grown = Swift.max(count + 1, Swift.min(Swift.max(capacity + capacity / 2, 16), limit))
            values = Self.grow(values, to: grown)
            capacity = grown
        }
        if !isSortedRun && (count + 1) * 2 > slotMask + 1 { rebuildSlots(for: (count + 1) * 2) }
    }

    /// The id of `bits`, inserting it when new.
    @inline(__always)
    func id(of bits: UInt64) -> UInt32 {
        if isSortedRun {
            let key = order.key(bits)
            if count > 0 {
                if key == lastKey { return UInt32(count - 1) }
                if key < lastKey {
                    leaveSortedRun()
                    return hashedId(bits)
                }
            }
            if count == capacity { growForInsert() }
            values[count] = bits
            lastKey = key
            count += 1
            return UInt32(count - 1)
        }
        return hashedId(bits)
    }

    /// The ids of `n` values (`bits(k)`, nil for a null slot: id ``ColumnStore/null``) into
    /// `out`. In hash mode, hashes are computed eight values ahead and their slots prefetched.
    @inline(__always)
    func ids(count n: Int, into out: UnsafeMutableBufferPointer<UInt32>, _ bits: (Int) -> UInt64?) {
        var k = 0
        while k < n && isSortedRun {
            out[k] = bits(k).map { id(of: $0) } ?? UInt32.max
            k += 1
        }
        var values: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var hashes = values
        var present: UInt8 = 0
        while k < n {
            let block = Swift.min(8, n - k)
            present = 0
            withUnsafeMutableBytes(of: &values) { v in
                withUnsafeMutableBytes(of: &hashes) { h in
                    let v = v.bindMemory(to: UInt64.self), h = h.bindMemory(to: UInt64.self)
                    for j in 0..<block {
                        guard let value = bits(k + j) else { continue }
                        present |= 1 << UInt8(j)
                        v[j] = value
                        h[j] = Self.hash(value)
                        if let slots { lakeingest_prefetch(slots + (Int(truncatingIfNeeded: h[j]) & slotMask)) }
                    }
                    for j in 0..<block {
                        out[k + j] = present & (1 << UInt8(j)) != 0 ? hashedId(v[j], hash: h[j]) : UInt32.max
                    }
                }
            }
            k += block
        }
    }

    @inline(__always)
    private func hashedId(_ bits: UInt64) -> UInt32 { hashedId(bits, hash: Self.hash(bits)) }

    @inline(__always)
    private func hashedId(_ bits: UInt64, hash: UInt64) -> UInt32 {
        let slots = self.slots.unsafelyUnwrapped
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if values[Int(entry &- 1)] == bits { return entry &- 1 }
            slot = (slot &+ 1) & slotMask
        }
        if count == capacity || (count + 1) * 2 > slotMask + 1 {
            growForInsert()
            return hashedId(bits, hash: hash)
        }
        let id = UInt32(count)
        values[count] = bits
        count += 1
        slots[slot] = id &+ 1
        return id
    }

    private func leaveSortedRun() {
        isSortedRun = false
        rebuildSlots(for: (count + 1) * 2)
    }

    /// A hash table of `size` slots or more (a power of two).
    private func rebuildSlots(for size: Int) {
        let size = Swift.max(16, size.roundedUpToPowerOfTwo)
        slots?.deallocate()
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: size)
        table.initialize(repeating: 0, count: size)
        slots = table
        slotMask = size - 1
        for id in 0..<count {
            var slot = Int(truncatingIfNeeded: Self.hash(self.values[id])) & slotMask
            while table[slot] != 0 { slot = (slot + 1) & slotMask }
            table[slot] = UInt32(id + 1)
        }
    }

    @inline(__always) func value(_ id: Int) -> UInt64 { values[id] }

    func withValues<R>(_ body: (UnsafeBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: values, count: count))
    }

    /// Keeps only the ids where `keep` is true, renumbered in order; returns old id → new id
    /// (`UInt32.max` for dropped ids).
    func compact(keep: [Bool]) -> [UInt32] {
        var remap = [UInt32](repeating: .max, count: count)
        var kept = 0
        for id in 0..<count where keep[id] {
            remap[id] = UInt32(kept)
            values[kept] = values[id]
            kept += 1
        }
        count = kept
        if !isSortedRun { rebuildSlots(for: (count + 1) * 2) } else if count > 0 { lastKey = order.key(values[count - 1]) }
        return remap
    }

    var estimatedBytes: Int { capacity * 8 + (slots == nil ? 0 : (slotMask + 1) * 4) }

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
/// insertion order, all in one byte buffer: hashing raw memory, comparing short values a word at
/// a time, no allocation per value; storage grows on the insert that finds it full.
final class BytesTable: @unchecked Sendable {
    private(set) var count = 0
    private var valueCapacity = 0
    private var data: UnsafeMutablePointer<UInt8>
    private var dataCount = 0
    private var dataCapacity = 0
    /// `offsets[id] ..< offsets[id + 1]`: 64-bit, so a column may hold more than 2 GiB.
    private var offsets: UnsafeMutablePointer<Int>
    private var hashes: UnsafeMutablePointer<UInt32>
    /// Open addressing, linear probing: 0 is empty, else the value's 32-bit hash in the high half
    /// and id + 1 in the low half, so a probe compares hashes without touching the values.
    private var slots: UnsafeMutablePointer<UInt64>
    private var slotMask = 15
    /// The longest value's length in bytes.
    private(set) var longest = 0
    /// The most values the table will hold (the segment's expected rows): growth stops there.
    var limit = Int.max

    init() {
        data = NumberTable.grow(nil, to: 16)
        dataCapacity = 16
        offsets = NumberTable.grow(nil, to: 17)
        offsets[0] = 0
        hashes = NumberTable.grow(nil, to: 16)
        valueCapacity = 16
        slots = .allocate(capacity: 16)
        slots.initialize(repeating: 0, count: 16)
    }

    deinit {
        free(data)
        free(offsets)
        free(hashes)
        slots.deallocate()
    }

    /// Frees everything once the column's dictionary is written.
    func release() {
        free(data)
        data = NumberTable.grow(nil, to: 1)
        dataCapacity = 1
        dataCount = 0
        free(offsets)
        offsets = NumberTable.grow(nil, to: 1)
        offsets[0] = 0
        free(hashes)
        hashes = NumberTable.grow(nil, to: 1)
        valueCapacity = 0
        count = 0
        slots.deallocate()
        slots = .allocate(capacity: 16)
        slots.initialize(repeating: 0, count: 16)
        slotMask = 15
    }

    /// Room for `values` more values holding `bytes` more bytes in all (before a loop that
    /// inserts without checking; ``id(of:)`` itself grows storage on demand).
    func reserve(values: Int, bytes: Int) {
        if count + values > valueCapacity { growValues(to: count + values) }
        if dataCount + bytes > dataCapacity { growData(to: dataCount + bytes) }
        if (count + values) * 2 > slotMask + 1 { rebuildSlots(for: (count + values) * 2) }
    }

    private func growValues(to needed: Int) {
        let grown = Swift.max(needed, Swift.min(Swift.max(valueCapacity + valueCapacity / 2, 16), limit))
        offsets = NumberTable.grow(offsets, to: grown + 1)
        hashes = NumberTable.grow(hashes, to: grown)
        valueCapacity = grown
    }

    private func growData(to needed: Int) {
        let grown = Swift.max(needed, dataCapacity + dataCapacity / 2, 16)
        data = NumberTable.grow(data, to: grown)
        dataCapacity = grown
    }

    @inline(__always) func length(_ id: Int) -> Int { offsets[id + 1] - offsets[id] }

    /// The bytes of `id` (allocates: for metadata and tests, not per row).
    func bytes(_ id: Int) -> [UInt8] { Array(UnsafeBufferPointer(start: data + offsets[id], count: length(id))) }

    @inline(__always) func withBytes<R>(_ id: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: data + offsets[id], count: length(id)))
    }

    /// The byte buffer and the `count + 1` offsets.
    func withStorage<R>(_ body: (UnsafeRawBufferPointer, UnsafeBufferPointer<Int>) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: data, count: dataCount), UnsafeBufferPointer(start: offsets, count: count + 1))
    }

    /// The id of `bytes`, inserting them when new. Needs room (``reserve(values:bytes:)``).
    @inline(__always)
    func id(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        id(of: bytes, hash: UInt32(truncatingIfNeeded: Self.hash(bytes)))
    }

    @inline(__always)
    func id(of bytes: UnsafeRawBufferPointer, hash: UInt32) -> UInt32 {
        var slot = Int(hash) & slotMask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if UInt32(truncatingIfNeeded: entry &>> 32) == hash {
                let id = UInt32(truncatingIfNeeded: entry) &- 1
                if equals(Int(id), bytes) { return id }
            }
            slot = (slot &+ 1) & slotMask
        }
        if count == valueCapacity || dataCount + bytes.count > dataCapacity || (count + 1) * 2 > slotMask + 1 {
            if count == valueCapacity { growValues(to: count + 1) }
            if dataCount + bytes.count > dataCapacity { growData(to: dataCount + bytes.count) }
            if (count + 1) * 2 > slotMask + 1 { rebuildSlots(for: (count + 1) * 4) }
            return id(of: bytes, hash: hash)
        }
        let id = UInt32(count)
        if let base = bytes.baseAddress, bytes.count > 0 { (data + dataCount).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
        dataCount += bytes.count
        offsets[count + 1] = dataCount
        hashes[count] = hash
        count += 1
        slots[slot] = UInt64(hash) &<< 32 | UInt64(id &+ 1)
        if bytes.count > longest { longest = bytes.count }
        return id
    }

    /// The ids of `count` values given by their byte ranges in `data` (nil: a null slot, id
    /// ``ColumnStore/null``), into `out`. Hashes are computed eight values ahead and their hash
    /// slots prefetched, so the probes of a large table do not wait on memory one at a time.
    func ids(count: Int, data: UnsafeRawBufferPointer, out: UnsafeMutableBufferPointer<UInt32>, range: (Int) -> Range<Int>?) {
        let lookahead = 8
        var hashes = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        var ranges = [Range<Int>?](repeating: nil, count: lookahead)
        withUnsafeMutableBytes(of: &hashes) { raw in
            let pending = raw.bindMemory(to: UInt32.self)
            var base = 0
            while base < count {
                let block = Swift.min(lookahead, count - base)
                for j in 0..<block {
                    let r = range(base + j)
                    ranges[j] = r
                    guard let r else { continue }
                    let hash = UInt32(truncatingIfNeeded: Self.hash(UnsafeRawBufferPointer(rebasing: data[r])))
                    pending[j] = hash
                    lakeingest_prefetch(slots + (Int(hash) & slotMask))
                }
                for j in 0..<block {
                    guard let r = ranges[j] else {
                        out[base + j] = UInt32.max
                        continue
                    }
                    out[base + j] = id(of: UnsafeRawBufferPointer(rebasing: data[r]), hash: pending[j])
                }
                base += block
            }
        }
    }

    /// Inserts one value, making room for it first (outside batch loops).
    func insert(_ bytes: [UInt8]) -> UInt32 {
        reserve(values: 1, bytes: bytes.count)
        return bytes.withUnsafeBytes { id(of: $0) }
    }

    @inline(__always)
    private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[id]
        let length = offsets[id + 1] - start
        guard length == bytes.count else { return false }
        guard length > 0, let other = bytes.baseAddress else { return true }
        let mine = UnsafeRawPointer(data + start)
        if length <= 16 {
            // Two overlapping 8-byte loads cover 8…16 bytes; shorter values byte by byte.
            if length >= 8 {
                return mine.loadUnaligned(as: UInt64.self) == other.loadUnaligned(as: UInt64.self)
                    && mine.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self) == other.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
            }
            for k in 0..<length where mine.load(fromByteOffset: k, as: UInt8.self) != other.load(fromByteOffset: k, as: UInt8.self) { return false }
            return true
        }
        return memcmp(mine, other, length) == 0
    }

    /// A hash table of `size` slots or more (a power of two).
    private func rebuildSlots(for size: Int) {
        let size = Swift.max(16, size.roundedUpToPowerOfTwo)
        slots.deallocate()
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        slotMask = size - 1
        for id in 0..<count {
            var slot = Int(hashes[id]) & slotMask
            while slots[slot] != 0 { slot = (slot + 1) & slotMask }
            slots[slot] = UInt64(hashes[id]) &<< 32 | UInt64(id + 1)
        }
    }

    /// Keeps only the ids where `keep` is true, renumbered in order; returns old id → new id
    /// (`UInt32.max` for dropped ids).
    func compact(keep: [Bool]) -> [UInt32] {
        var remap = [UInt32](repeating: .max, count: count)
        var kept = 0, written = 0
        longest = 0
        for id in 0..<count where keep[id] {
            let start = offsets[id], length = offsets[id + 1] - start
            if written != start && length > 0 { (data + written).update(from: data + start, count: length) }
            hashes[kept] = hashes[id]
            offsets[kept] = written
            written += length
            longest = Swift.max(longest, length)
            remap[id] = UInt32(kept)
            kept += 1
        }
        count = kept
        dataCount = written
        offsets[count] = written
        rebuildSlots(for: (count + 1) * 2)
        return remap
    }

    var totalBytes: Int { dataCount }
    var estimatedBytes: Int { dataCapacity + valueCapacity * 12 + (slotMask + 1) * 8 }

    /// A fast 64-bit hash of raw bytes (not for adversarial keys: a column's own values).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ (UInt64(n) &* 0xFF51_AFD7_ED55_8CCD)
        guard let base = bytes.baseAddress else { return NumberTable.hash(h) }
        var i = 0
        while i + 8 <= n {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9FB2_1C65_1E98_DF25
            h ^= h &>> 29
            i += 8
        }
        if i < n {
            // The last 1–7 bytes: an overlapping 8-byte load when the value is long enough,
            // else two overlapping 4-byte loads, else byte by byte.
            let tail: UInt64
            if n >= 8 {
                tail = base.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4 {
                tail = UInt64(base.loadUnaligned(as: UInt32.self)) | UInt64(base.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) &<< 32
            } else {
                var t: UInt64 = 0
                for k in 0..<n { t |= UInt64(base.load(fromByteOffset: k, as: UInt8.self)) &<< UInt64(8 * k) }
                tail = t
            }
            h = (h ^ tail) &* 0x9FB2_1C65_1E98_DF25
        }
        return NumberTable.hash(h)
    }
}
