/// Sorting a column's distinct values into Java's order (spec §5.1), once per distinct value:
/// numbers by a radix sort of their order keys, strings and bytes by a radix sort of 8-byte
/// prefix keys and then a comparison of raw memory only among values sharing a prefix.
enum DictionarySort {
    /// The local ids of `numbers` in ascending Java order; nil when they are already in order.
    static func order(_ numbers: NumberTable) -> [UInt32]? {
        if numbers.isSortedRun { return nil }
        var keys = numbers.withValues { values in values.map { numbers.order.key($0) } }
        var ids = (0..<UInt32(keys.count)).map { $0 }
        RadixSort.sort(keys: &keys, payload: &ids)
        return ids
    }

    /// The local ids of `strings` in ascending Java order for `type`: UTF-16 code-unit order for
    /// STRING and JSON, unsigned byte order for BYTES, numeric order for BIG_DECIMAL. A radix sort
    /// of 8-byte keys, repeated on the next 8 bytes within each run of equal keys (values sharing
    /// long prefixes, `user-1234…`), and raw-memory comparisons only within small runs.
    static func order(_ strings: BytesTable, type: PinotDataType) -> [UInt32] {
        if type == .bigDecimal { return decimalOrder(strings) }
        let map = type == .string || type == .json ? UTF16Order.table : UTF16Order.identity
        let count = strings.count
        var ids = (0..<UInt32(count)).map { $0 }
        guard count > 1 else { return ids }
        strings.withStorage { data, offsets in
            map.withUnsafeBufferPointer { map in
                ids.withUnsafeMutableBufferPointer { ids in
                    sortRun(ids, depth: 0, data: data, offsets: offsets, map: map)
                }
            }
        }
        return ids
    }

    /// Sorts `run` (ids whose first `depth` bytes are equal).
    private static func sortRun(_ run: UnsafeMutableBufferPointer<UInt32>, depth: Int, data: UnsafeRawBufferPointer,
                                offsets: UnsafeBufferPointer<Int>, map: UnsafeBufferPointer<UInt8>) {
        @inline(__always) func length(_ id: UInt32) -> Int { offsets[Int(id) + 1] - offsets[Int(id)] }
        func compareSort(_ run: UnsafeMutableBufferPointer<UInt32>) {
            var run = run
            run.sort { a, b in
                let oa = offsets[Int(a)], ob = offsets[Int(b)]
                return UTF16Order.less(data.baseAddress, oa, length(a), ob, length(b), map: map)
            }
        }
        if run.count <= 32 || run.allSatisfy({ length($0) <= depth }) {
            compareSort(run)
            return
        }
        var keys = run.map { id -> UInt64 in
            let offset = offsets[Int(id)]
            let remaining = length(id) - depth
            return remaining <= 0 ? 0 : UTF16Order.prefixKey(data.baseAddress, offset + depth, remaining, map: map)
        }
        var payload = Array(run)
        RadixSort.sort(keys: &keys, payload: &payload)
        for i in 0..<run.count { run[i] = payload[i] }
        var start = 0
        while start < run.count {
            var end = start + 1
            while end < run.count && keys[end] == keys[start] { end += 1 }
            if end - start > 1 {
                let sub = UnsafeMutableBufferPointer(rebasing: run[start..<end])
                // Equal 8-byte windows: values that ended inside this window tie only with equal
                // values padded by zeros; the comparison sort settles those by length.
                if sub.contains(where: { length($0) < depth + 8 }) {
                    compareSort(sub)
                } else {
                    sortRun(sub, depth: depth + 8, data: data, offsets: offsets, map: map)
                }
            }
            start = end
        }
    }

    private static func decimalOrder(_ strings: BytesTable) -> [UInt32] {
        let values: [(Int128, Int)] = (0..<strings.count).map { id in
            if case .decimal(let unscaled, let scale)? = try? StoredValue.decodeVariable(.bigDecimal, strings.bytes(id)[...]) {
                return (unscaled, scale)
            }
            return (0, 0)
        }
        return (0..<UInt32(strings.count)).sorted { CellOrder.decimalLess(values[Int($0)], values[Int($1)]) }
    }
}

/// Java's `String.compareTo` (UTF-16 code units) on UTF-8 bytes. Byte order is code point
/// order, which differs from UTF-16 order only where a supplementary character (lead byte
/// F0–F4, a surrogate pair in UTF-16) meets one of U+E000–U+FFFF (lead byte EE or EF). Mapping
/// those lead bytes (F0–F4 below EE–EF) makes byte-wise comparison give UTF-16 order; the bytes
/// involved occur nowhere else in valid UTF-8.
enum UTF16Order {
    static let table: [UInt8] = {
        var map = (0...255).map { UInt8($0) }
        for (byte, mapped) in [(0xF0, 0xEE), (0xF1, 0xEF), (0xF2, 0xF0), (0xF3, 0xF1), (0xF4, 0xF2), (0xEE, 0xF3), (0xEF, 0xF4)] {
            map[byte] = UInt8(mapped)
        }
        return map
    }()

    static let identity: [UInt8] = (0...255).map { UInt8($0) }

    /// The first eight mapped bytes, big-endian, zero-padded.
    @inline(__always)
    static func prefixKey(_ base: UnsafeRawPointer?, _ offset: Int, _ length: Int, map: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base else { return 0 }
        var key: UInt64 = 0
        let n = min(length, 8)
        for k in 0..<n { key |= UInt64(map[Int(base.load(fromByteOffset: offset + k, as: UInt8.self))]) << UInt64(56 - 8 * k) }
        return key
    }

    /// Whether the value at `oa` sorts before the one at `ob`: the first differing byte found a
    /// word at a time, then compared through `map`; a prefix sorts first.
    @inline(__always)
    static func less(_ base: UnsafeRawPointer?, _ oa: Int, _ na: Int, _ ob: Int, _ nb: Int, map: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base else { return na < nb }
        let n = min(na, nb)
        var i = 0
        while i + 8 <= n {
            let x = base.loadUnaligned(fromByteOffset: oa + i, as: UInt64.self)
            let y = base.loadUnaligned(fromByteOffset: ob + i, as: UInt64.self)
            if x != y {
                let j = i + (UInt64(littleEndian: x) ^ UInt64(littleEndian: y)).trailingZeroBitCount / 8
                return map[Int(base.load(fromByteOffset: oa + j, as: UInt8.self))] < map[Int(base.load(fromByteOffset: ob + j, as: UInt8.self))]
            }
            i += 8
        }
        while i < n {
            let x = base.load(fromByteOffset: oa + i, as: UInt8.self)
            let y = base.load(fromByteOffset: ob + i, as: UInt8.self)
            if x != y { return map[Int(x)] < map[Int(y)] }
            i += 1
        }
        return na < nb
    }
}

/// LSD radix sort of 64-bit keys carrying a 32-bit payload, 11 bits per pass; passes in which
/// every key has the same digit are skipped. Small inputs use a comparison sort.
enum RadixSort {
    static func sort(keys: inout [UInt64], payload: inout [UInt32]) {
        let n = keys.count
        precondition(payload.count == n, "one payload per key")
        if n < 256 {
            let order = (0..<n).sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && payload[$0] < payload[$1]) }
            keys = order.map { keys[$0] }
            payload = order.map { payload[$0] }
            return
        }
        let digitBits = 11, passes = 6, buckets = 1 << digitBits
        var histograms = [Int](repeating: 0, count: buckets * passes)
        for key in keys {
            for pass in 0..<passes { histograms[pass * buckets + Int((key >> UInt64(pass * digitBits)) & UInt64(buckets - 1))] += 1 }
        }
        var otherKeys = [UInt64](repeating: 0, count: n)
        var otherPayload = [UInt32](repeating: 0, count: n)
        for pass in 0..<passes {
            let base = pass * buckets
            if histograms[base..<(base + buckets)].contains(n) { continue }
            var offsets = [Int](repeating: 0, count: buckets)
            var sum = 0
            for bucket in 0..<buckets {
                offsets[bucket] = sum
                sum += histograms[base + bucket]
            }
            let shift = UInt64(pass * digitBits)
            keys.withUnsafeBufferPointer { src in
                payload.withUnsafeBufferPointer { srcPayload in
                    otherKeys.withUnsafeMutableBufferPointer { dst in
                        otherPayload.withUnsafeMutableBufferPointer { dstPayload in
                            for i in 0..<n {
                                let bucket = Int((src[i] >> shift) & UInt64(buckets - 1))
                                let position = offsets[bucket]
                                offsets[bucket] = position + 1
                                dst[position] = src[i]
                                dstPayload[position] = srcPayload[i]
                            }
                        }
                    }
                }
            }
            swap(&keys, &otherKeys)
            swap(&payload, &otherPayload)
        }
    }
}
