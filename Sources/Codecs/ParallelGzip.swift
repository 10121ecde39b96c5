import CZlib
import Dispatch

/// gzip compressed on several threads, as pigz does: the input is cut into blocks of
/// ``blockSize`` bytes, each compressed as raw deflate primed with the previous block's last
/// 32 KiB (so the ratio stays that of one stream) and ended on a byte boundary by a sync flush,
/// the last one finished; one gzip header, and a trailer whose CRC-32 is combined from the
/// blocks'. Every gzip reader reads it as one member. The bytes depend on the block size and
/// level, never on the number of threads.
///
/// Not thread-safe: one owner feeds it; the blocks are compressed on Dispatch's global queue
/// and handed to the owner's sink in order.
final class ParallelGzip {
    static let blockSize = 1 << 20
    private static let window = 32 << 10

    private let level: Int32
    /// Blocks queued or compressing at once: enough to keep every thread busy while the owner
    /// produces the next.
    private let depth: Int
    private var current: [UInt8] = []
    private var tail: [UInt8] = []
    private var inFlight: [Block] = []
    private var crc: UInt = 0
    private var length: UInt64 = 0
    private var started = false

    private final class Block: @unchecked Sendable {
        let input: [UInt8]
        let dictionary: [UInt8]
        let last: Bool
        var output: [UInt8] = []
        var crc: UInt = 0
        var failure: CodecError?
        let done = DispatchSemaphore(value: 0)

        init(input: [UInt8], dictionary: [UInt8], last: Bool) {
            self.input = input
            self.dictionary = dictionary
            self.last = last
        }

        func compress(level: Int32) {
            defer { done.signal() }
            crc = input.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, uInt($0.count)) }
            var stream = z_stream()
            guard czlib_deflate_init2(&stream, level, -15) == Z_OK else {
                failure = CodecError(.corruptData, codec: .gzip, "deflateInit2 failed")
                return
            }
            defer { deflateEnd(&stream) }
            if !dictionary.isEmpty {
                let status = dictionary.withUnsafeBufferPointer { deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
                guard status == Z_OK else {
                    failure = CodecError(.corruptData, codec: .gzip, "deflateSetDictionary failed with status \(status)")
                    return
                }
            }
            // A sync flush adds at most a few bytes beyond deflateBound's.
            output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
            let status: Int32 = input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { target in
                    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                    stream.avail_in = uInt(source.count)
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    return CZlib.deflate(&stream, last ? Z_FINISH : Z_SYNC_FLUSH)
                }
            }
            guard status == (last ? Z_STREAM_END : Z_OK), stream.avail_in == 0 else {
                failure = CodecError(.corruptData, codec: .gzip, "deflate of a \(input.count)-byte block failed with status \(status)")
                return
            }
            output.removeLast(Int(stream.avail_out))
        }
    }

    init(level: Int32, workers: Int) {
        self.level = level
        depth = 2 * max(1, workers)
        current.reserveCapacity(Self.blockSize)
    }

    func write(_ input: UnsafeRawBufferPointer, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = input
        while !remaining.isEmpty {
            let piece = remaining.prefix(Self.blockSize - current.count)
            current.append(contentsOf: piece)
            remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst(piece.count))
            if current.count == Self.blockSize { try submit(last: false, sink) }
        }
    }

    func finish(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try submit(last: true, sink)
        while !inFlight.isEmpty { try emitOldest(sink) }
        var trailer: [UInt8] = []
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: UInt32(crc) >> shift)) }
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        try trailer.withUnsafeBytes { try sink($0) }
    }

    private func submit(last: Bool, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if !started {
            started = true
            // ID1 ID2, deflate, no flags, no mtime, "fastest" at level 1, Unix.
            let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, level == 1 ? 4 : 0, 3]
            try header.withUnsafeBytes { try sink($0) }
        }
        let block = Block(input: current, dictionary: tail, last: last)
        tail = Array(current.suffix(Self.window))
        current = []
        current.reserveCapacity(last ? 0 : Self.blockSize)
        let level = level
        DispatchQueue.global().async { block.compress(level: level) }
        inFlight.append(block)
        while inFlight.count >= depth { try emitOldest(sink) }
    }

    private func emitOldest(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let block = inFlight.removeFirst()
        block.done.wait()
        if let failure = block.failure { throw failure }
        crc = CZlib.crc32_combine(crc, block.crc, .init(block.input.count))
        length &+= UInt64(block.input.count)
        try block.output.withUnsafeBytes { try sink($0) }
    }
}
