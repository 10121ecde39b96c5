/// Which slots of a column hold a value (bit set) and which are null (bit clear), one bit per
/// slot, least significant bit first, as in Arrow.
public struct ValidityBitmap: Sendable, Equatable {
    public private(set) var words: [UInt64]
    public private(set) var count: Int
    public private(set) var nullCount: Int

    /// A bitmap of `count` slots, all valid.
    public init(allValid count: Int) {
        self.count = count
        self.nullCount = 0
        var words = [UInt64](repeating: ~0, count: (count + 63) / 64)
        // Bits past `count` stay clear: appending only ever sets bits.
        if count & 63 != 0 { words[words.count - 1] = (1 << UInt64(count & 63)) - 1 }
        self.words = words
    }

    /// An empty bitmap to append to.
    public init(reservingCapacity capacity: Int = 0) {
        self.count = 0
        self.nullCount = 0
        self.words = []
        words.reserveCapacity((capacity + 63) / 64)
    }

    @inlinable
    public func isValid(_ index: Int) -> Bool {
        words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    public mutating func append(_ valid: Bool) {
        if count & 63 == 0 { words.append(0) }
        if valid {
            words[count >> 6] |= 1 << UInt64(count & 63)
        } else {
            nullCount += 1
        }
        count += 1
    }

    /// Appends `n` slots of the same validity.
    public mutating func append(repeating valid: Bool, count n: Int) {
        guard n > 0 else { return }
        // Fill the partial word bit by bit, then whole words.
        var remaining = n
        while remaining > 0 && count & 63 != 0 {
            append(valid)
            remaining -= 1
        }
        let wholeWords = remaining / 64
        if wholeWords > 0 {
            words.append(contentsOf: repeatElement(valid ? ~0 : 0, count: wholeWords))
            count += wholeWords * 64
            if !valid { nullCount += wholeWords * 64 }
            remaining -= wholeWords * 64
        }
        for _ in 0..<remaining { append(valid) }
    }

    /// Appends one slot per element of `codes`, valid where the code equals `validCode` (for
    /// example definition levels against the maximum level), a word at a time.
    public mutating func append(codes: UnsafeBufferPointer<UInt16>, validCode: UInt16) {
        let n = codes.count
        var i = 0
        while i < n && count & 63 != 0 {
            append(codes[i] == validCode)
            i += 1
        }
        while n - i >= 64 {
            var word: UInt64 = 0
            for bit in 0..<64 where codes[i + bit] == validCode { word |= 1 << UInt64(bit) }
            words.append(word)
            nullCount += 64 - word.nonzeroBitCount
            count += 64
            i += 64
        }
        while i < n {
            append(codes[i] == validCode)
            i += 1
        }
    }
}
