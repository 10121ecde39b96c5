import Columnar
import Testing

/// `ByteArrays`: Arrow's layout, one buffer and `count + 1` offsets.
@Suite("columnar: byte arrays")
struct ByteArraysTests {
    @Test("values become one buffer and their end offsets")
    func layout() {
        let arrays = ByteArrays([[1, 2], [], [3]])
        #expect(arrays.offsets == [0, 2, 2, 3])
        #expect(arrays.data == [1, 2, 3])
        #expect(arrays.count == 3)
        #expect(arrays.range(0) == 0..<2 && arrays.range(1) == 2..<2 && arrays.range(2) == 2..<3)
        #expect(Array(arrays[0]) == [1, 2] && arrays[1].isEmpty && Array(arrays[2]) == [3])
        #expect(arrays == ByteArrays(offsets: [0, 2, 2, 3], data: [1, 2, 3]))
    }

    @Test("empty, then appended to")
    func appending() {
        var arrays = ByteArrays()
        #expect(arrays.count == 0 && arrays.offsets == [0] && arrays.data.isEmpty)
        arrays.append(Array("héllo".utf8))
        arrays.append([UInt8]())
        arrays.append("ab".utf8)
        #expect(arrays.offsets == [0, 6, 6, 8], "é is two bytes in UTF-8")
        #expect(arrays.string(at: 0) == "héllo" && arrays.string(at: 1) == "" && arrays.string(at: 2) == "ab")
    }

    @Test("reserving capacity keeps the contents")
    func reserving() {
        var arrays = ByteArrays([[9], [8, 7]])
        arrays.reserveCapacity(values: 100, bytes: 1000)
        #expect(arrays.offsets.capacity >= 101 && arrays.data.capacity >= 1000)
        #expect(arrays == ByteArrays([[9], [8, 7]]))
    }
}
