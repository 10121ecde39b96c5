import Columnar
import Testing

/// `ValidityBitmap`: one bit per slot, least significant first, set where a value is present;
/// the word patterns below are worked out by hand.
@Suite("columnar: validity bitmap")
struct ValidityBitmapTests {
    @Test("appending one slot at a time sets bits from the least significant end")
    func appendOne() {
        var bitmap = ValidityBitmap()
        for valid in [true, false, true, true] { bitmap.append(valid) }
        #expect(bitmap.words == [0b1101])
        #expect(bitmap.count == 4 && bitmap.nullCount == 1)
        #expect([0, 1, 2, 3].map(bitmap.isValid) == [true, false, true, true])
    }

    @Test("the 65th slot starts a second word")
    func wordBoundary() {
        var bitmap = ValidityBitmap(reservingCapacity: 65)
        for _ in 0..<64 { bitmap.append(false) }
        #expect(bitmap.words == [0])
        bitmap.append(true)
        #expect(bitmap.words == [0, 1])
        #expect(bitmap.count == 65 && bitmap.nullCount == 64)
        #expect(bitmap.isValid(64) && !bitmap.isValid(63))
    }

    @Test("append(repeating:) fills the partial word, then whole words, then the rest")
    func appendRepeating() {
        var bitmap = ValidityBitmap()
        for valid in [true, false, true] { bitmap.append(valid) }
        bitmap.append(repeating: false, count: 130)  // 61 bits, one whole word, 5 bits
        bitmap.append(true)                          // slot 133: bit 5 of the third word
        #expect(bitmap.words == [0b101, 0, 1 << 5])
        #expect(bitmap.count == 134 && bitmap.nullCount == 131)

        var valid = ValidityBitmap()
        valid.append(false)
        valid.append(repeating: true, count: 127)
        #expect(valid.words == [~UInt64(1), ~0])
        #expect(valid.count == 128 && valid.nullCount == 1)
        valid.append(repeating: true, count: 0)
        #expect(valid.count == 128)
    }

    @Test("append(codes:validCode:) gives the same bitmap as appending slot by slot", arguments: [0, 1, 63])
    func appendCodes(offset: Int) {
        // Valid where the code is 2: every third slot, over more than two words.
        let codes: [UInt16] = (0..<150).map { $0 % 3 == 0 ? 2 : 1 }
        var fast = ValidityBitmap()
        var slow = ValidityBitmap()
        for _ in 0..<offset { fast.append(true); slow.append(true) }
        codes.withUnsafeBufferPointer { fast.append(codes: $0, validCode: 2) }
        for code in codes { slow.append(code == 2) }
        #expect(fast == slow)
        #expect(fast.count == offset + 150)
        #expect(fast.nullCount == 100, "50 of 150 slots are valid")
        if offset == 0 {
            // Bits 0, 3, 6, …, 63 of the first word.
            let first = stride(from: 0, to: 64, by: 3).reduce(UInt64(0)) { $0 | 1 << UInt64($1) }
            #expect(fast.words[0] == first)
            #expect(first == 0x9249_2492_4924_9249)
        }
    }

    @Test("allValid sets every slot")
    func allValid() {
        let bitmap = ValidityBitmap(allValid: 70)
        #expect(bitmap.count == 70 && bitmap.nullCount == 0)
        #expect(bitmap.words.count == 2)
        #expect((0..<70).allSatisfy(bitmap.isValid))
    }

    @Test("a null appended after allValid reads as null")
    func appendAfterAllValid() {
        var bitmap = ValidityBitmap(allValid: 3)
        bitmap.append(false)
        #expect(bitmap.nullCount == 1)
        #expect(!bitmap.isValid(3))
        #expect(bitmap.words == [0b0111])
    }
}
