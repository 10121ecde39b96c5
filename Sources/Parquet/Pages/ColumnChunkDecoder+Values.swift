import Columnar

/// The values section of a data page, by encoding (one decoder per encoding in `Encodings/`).
extension ColumnChunkDecoder {
    mutating func decodeValues(_ encoding: Encoding, _ data: UnsafeRawBufferPointer, count: Int) throws {
        guard count > 0 else { return }
        if encoding.isDictionary {
            try decodeDictionaryIndices(data, count: count)
            return
        }
        try materializeDictionary()
        let type = descriptor.physicalType
        switch encoding {
        case .plain:
            _ = try PlainDecoder.decode(data, count: count, into: &leaf.values)
        case .rle where type == .boolean:
            guard data.count >= 4 else { throw ParquetError(.corruptPage, "RLE boolean data is shorter than its 4-byte length") }
            let length = Int(UInt32(littleEndian: data.baseAddress!.loadUnaligned(as: UInt32.self)))
            guard length <= data.count - 4 else { throw ParquetError(.corruptPage, "RLE boolean data of \(length) bytes runs past the page") }
            var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: data[4..<4 + length]), bitWidth: 1)
            var bits = [UInt8](repeating: 0, count: count)
            try bits.withUnsafeMutableBufferPointer { output in try decoder.decode(into: output.baseAddress!, count: count) }
            leaf.values.booleans.append(contentsOf: bits.lazy.map { $0 != 0 })
        case .deltaBinaryPacked where type == .int32 || type == .int64:
            let (values, _) = try DeltaBinaryPackedDecoder.decode(data, maxCount: count)
            guard values.count == count else {
                throw ParquetError(.corruptPage, "DELTA_BINARY_PACKED holds \(values.count) values, the page has \(count)")
            }
            if type == .int32 {
                leaf.values.int32s.append(contentsOf: values.lazy.map { Int32(truncatingIfNeeded: $0) })
            } else {
                leaf.values.int64s.append(contentsOf: values)
            }
        case .deltaLengthByteArray where type == .byteArray:
            _ = try DeltaByteArrayDecoder.decodeLengths(data, count: count, into: &leaf.values.byteArrays)
        case .deltaByteArray where type == .byteArray || type == .fixedLenByteArray:
            var decoded = ByteArraysBox()
            _ = try DeltaByteArrayDecoder.decodeIncremental(data, count: count, into: &decoded.values)
            if type == .byteArray {
                for i in 0..<decoded.values.count {
                    let value = decoded.values[i]
                    guard leaf.values.byteArrays.data.count + value.count <= Int(Int32.max) else {
                        throw ParquetError(.unsupportedFeature, "a column chunk holds more than 2 GiB of BYTE_ARRAY data")
                    }
                    leaf.values.byteArrays.append(value)
                }
            } else {
                for i in 0..<decoded.values.count {
                    guard decoded.values.range(i).count == descriptor.typeLength else {
                        throw ParquetError(.corruptPage, "DELTA_BYTE_ARRAY value of \(decoded.values.range(i).count) bytes in a FIXED_LEN_BYTE_ARRAY(\(descriptor.typeLength)) column")
                    }
                    leaf.values.fixed.append(contentsOf: decoded.values[i])
                }
            }
        case .byteStreamSplit:
            try decodeByteStreamSplit(data, count: count)
        default:
            throw ParquetError(.unsupportedEncoding, "encoding \(encoding) is not valid for \(type)")
        }
    }

    private mutating func decodeByteStreamSplit(_ data: UnsafeRawBufferPointer, count: Int) throws {
        let width = descriptor.physicalType == .fixedLenByteArray ? descriptor.typeLength
            : descriptor.physicalType == .float || descriptor.physicalType == .int32 ? 4 : 8
        let (needed, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, needed <= data.count else {
            throw ParquetError(.corruptPage, "BYTE_STREAM_SPLIT data holds \(data.count) bytes, \(count) values of \(width) bytes need more")
        }
        /// `elements` values of `T`, `width` bytes per value's streams.
        func split<T>(_: T.Type, elements: Int) throws -> [T] {
            try [T](unsafeUninitializedCapacity: elements) { buffer, initialized in
                if let base = buffer.baseAddress {
                    try ByteStreamSplitDecoder.decode(data, count: count, width: width, into: UnsafeMutableRawPointer(base))
                }
                initialized = elements
            }
        }
        switch descriptor.physicalType {
        case .float: leaf.values.floats.append(contentsOf: try split(Float.self, elements: count))
        case .double: leaf.values.doubles.append(contentsOf: try split(Double.self, elements: count))
        case .int32: leaf.values.int32s.append(contentsOf: try split(Int32.self, elements: count))
        case .int64: leaf.values.int64s.append(contentsOf: try split(Int64.self, elements: count))
        case .fixedLenByteArray: leaf.values.fixed.append(contentsOf: try split(UInt8.self, elements: count * width))
        default:
            throw ParquetError(.unsupportedEncoding, "BYTE_STREAM_SPLIT is not valid for \(descriptor.physicalType)")
        }
    }

    /// RLE_DICTIONARY / PLAIN_DICTIONARY data: a bit-width byte, then RLE-hybrid indices.
    private mutating func decodeDictionaryIndices(_ data: UnsafeRawBufferPointer, count: Int) throws {
        guard let dictionary = dictionaryPage else {
            throw ParquetError(.corruptPage, "dictionary-encoded page without a dictionary page")
        }
        guard !data.isEmpty else { throw ParquetError(.corruptPage, "dictionary-encoded page has no data") }
        var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: data[1...]), bitWidth: Int(data[0]))
        var scratch = indexScratch
        indexScratch = []
        defer { indexScratch = scratch }
        if scratch.count < count { scratch = [UInt32](repeating: 0, count: count) }
        let maxIndex = try scratch.withUnsafeMutableBufferPointer { output in
            try decoder.decode(into: output.baseAddress!, count: count)
            var maxIndex: UInt32 = 0
            for i in 0..<count { maxIndex = max(maxIndex, output[i]) }
            return maxIndex
        }
        guard Int(maxIndex) < dictionary.count else {
            throw ParquetError(.corruptPage, "dictionary index \(maxIndex) out of range (dictionary has \(dictionary.count) values)")
        }
        try scratch.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: Int32.self) { indices in
                try appendIndices(UnsafeBufferPointer(rebasing: indices[0..<count]))
            }
        }
    }

    mutating func materializeDictionary() throws {
        guard usingIndices else { return }
        usingIndices = false
        if let dictionary = dictionaryPage, !leaf.indices.isEmpty {
            let indices = leaf.indices
            leaf.indices = []
            try indices.withUnsafeBufferPointer { try leaf.values.appendGathering(from: dictionary, indices: $0) }
        }
    }

    private mutating func appendIndices(_ indices: UnsafeBufferPointer<Int32>) throws {
        if usingIndices {
            leaf.indices.append(contentsOf: indices)
        } else if let dictionary = dictionaryPage {
            try leaf.values.appendGathering(from: dictionary, indices: indices)
        }
    }
}

/// A holder so that a temporary `ByteArrays` can be passed `inout`.
struct ByteArraysBox {
    var values = ByteArrays()
}
