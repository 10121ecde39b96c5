import Codecs
@testable import Engine
import Testing

@Suite("engine: deletion vectors")
struct DeletionVectorTests {
    /// A 32-bit portable Roaring bitmap of array containers (cookie 12346), built by hand.
    private func roaring32(_ values: [UInt32]) -> [UInt8] {
        let groups = Dictionary(grouping: values, by: { $0 >> 16 }).sorted { $0.key < $1.key }
        var out: [UInt8] = []
        func le(_ value: UInt32, _ width: Int) { for i in 0..<width { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) } }
        le(12346, 4)
        le(UInt32(groups.count), 4)
        for (key, members) in groups { le(key, 2); le(UInt32(members.count - 1), 2) }
        var offset = 8 + 8 * groups.count
        for (_, members) in groups { le(UInt32(offset), 4); offset += 2 * members.count }
        for (_, members) in groups { for value in members.sorted() { le(value & 0xFFFF, 2) } }
        return out
    }

    private func blob(_ positions: [Int64]) -> [UInt8] {
        let byHigh = Dictionary(grouping: positions, by: { UInt32($0 >> 32) }).sorted { $0.key < $1.key }
        var vector: [UInt8] = DeletionVector.magic
        var count = UInt64(byHigh.count)
        for _ in 0..<8 { vector.append(UInt8(truncatingIfNeeded: count)); count >>= 8 }
        for (high, members) in byHigh {
            for i in 0..<4 { vector.append(UInt8(truncatingIfNeeded: high >> (8 * UInt32(i)))) }
            vector += roaring32(members.map { UInt32(truncatingIfNeeded: $0) })
        }
        let length = UInt32(vector.count)
        let crc = vector.withUnsafeBytes { CRC32.checksum($0) }
        return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) } + vector + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: crc >> $0) }
    }

    @Test("positions across 32-bit keys read back; a wrong CRC, magic or length is a corrupt file naming it")
    func roundTrip() throws {
        let positions: [Int64] = [0, 7, 65_535, 65_536, 1_000_000, (Int64(1) << 32) + 3]
        #expect(try DeletionVector.positions(blob(positions), file: "dv.puffin") == positions)
        var badCRC = blob(positions)
        badCRC[badCRC.count - 1] ^= 1
        var badMagic = blob(positions)
        badMagic[4] = 0
        for bad in [badCRC, badMagic, Array(blob(positions).prefix(20))] {
            #expect { try DeletionVector.positions(bad, file: "dv.puffin") } throws: { error in
                (error as? EngineError)?.code == .corruptFile && (error as? EngineError)?.file == "dv.puffin"
            }
        }
    }
}
