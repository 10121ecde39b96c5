import Codecs

/// An Avro object container file (Avro specification, "Object Container Files"), decoded from
/// its bytes: the header (magic, metadata with `avro.schema` and `avro.codec`, sync marker) and
/// every block's records. Sans-I/O: the caller reads the file.
public struct AvroContainerFile: Sendable {
    /// The schema the file was written with.
    public let writerSchema: AvroSchema
    /// The file's metadata map (`avro.schema`, `avro.codec` and any writer extras).
    public let metadata: [String: [UInt8]]
    public let codec: String
    /// The records, resolved against the reader's schema where one was given.
    public let records: [AvroValue]

    /// Decodes `bytes`.
    /// - Parameters:
    ///   - name: the file's name, for errors.
    ///   - readerSchema: resolve each record against this schema (fields matched by name; missing
    ///     ones take their defaults, extra ones are dropped).
    /// - Throws: `AvroError` naming the file and block.
    public init(bytes: [UInt8], name: String, readerSchema: AvroSchema? = nil, limits: DecompressionLimits = .default) throws(AvroError) {
        do {
            (writerSchema, metadata, codec, records) = try Self.decode(bytes, readerSchema: readerSchema, limits: limits)
        } catch var error as AvroError {
            error.file = error.file ?? name
            throw error
        } catch {
            throw AvroError(.corruptData, "\(error)", file: name)
        }
    }

    /// The value of a metadata key as text.
    public func metadataString(_ key: String) -> String? {
        metadata[key].map { String(decoding: $0, as: UTF8.self) }
    }

    private static func decode(
        _ bytes: [UInt8], readerSchema: AvroSchema?, limits: DecompressionLimits
    ) throws -> (AvroSchema, [String: [UInt8]], String, [AvroValue]) {
        try bytes.withUnsafeBytes { raw in
            guard raw.count >= 4 else { throw AvroError(.truncated, "file of \(raw.count) bytes has no header") }
            guard raw[0] == 0x4f, raw[1] == 0x62, raw[2] == 0x6a, raw[3] == 0x01 else {
                throw AvroError(.badMagic, "the file does not start with Obj\\u{1}")
            }
            var decoder = AvroBinaryDecoder(raw, position: 4)
            guard case .map(let entries) = try decoder.read(.map(.bytes)) else {
                throw AvroError(.corruptData, "header metadata is not a map")
            }
            var metadata: [String: [UInt8]] = [:]
            for (key, value) in entries.entries { metadata[key] = value.bytesValue ?? [] }
            let sync = try decoder.readFixed(16)
            guard let schemaBytes = metadata["avro.schema"] else { throw AvroError(.invalidSchema, "header has no avro.schema") }
            let writer = try AvroSchema.parse(String(decoding: schemaBytes, as: UTF8.self))
            let codec = metadata["avro.codec"].map { String(decoding: $0, as: UTF8.self) } ?? "null"
            let implementation: CompressionCodec
            switch codec {
            case "null": implementation = .uncompressed
            case "deflate": implementation = .deflate
            case "snappy": implementation = .snappy
            case "zstandard": implementation = .zstd
            default: throw AvroError(.unsupportedCodec, "unsupported Avro codec \(codec)")
            }
            let resolver = try readerSchema.map { (reader) throws(AvroError) in try SchemaResolver(writer: writer, reader: reader) }
            var records: [AvroValue] = []
            var block = 0
            while decoder.remaining > 0 {
                do {
                    let count = try decoder.readLong()
                    let size = try decoder.readLong()
                    guard count >= 0, size >= 0 else { throw AvroError(.corruptData, "negative block count or size") }
                    let data = try decoder.readFixed(Int(size))
                    guard decoder.remaining >= 16 else { throw AvroError(.truncated, "file ends before the block's sync marker") }
                    guard try decoder.readFixed(16) == sync else { throw AvroError(.syncMismatch, "the block's sync marker differs from the header's") }
                    let plain = try decompress(data, codec: implementation, limits: limits)
                    try plain.withUnsafeBytes { blockBytes in
                        var blockDecoder = AvroBinaryDecoder(blockBytes)
                        guard count <= Int64(blockBytes.count) + 1 || (writer.isZeroSize && count <= Int64(AvroBinaryDecoder.maxItems)) else {
                            throw AvroError(.corruptData, "block declares \(count) records in \(blockBytes.count) bytes")
                        }
                        for _ in 0..<count {
                            let value = try blockDecoder.read(writer)
                            records.append(try resolver.map { (r) throws(AvroError) in try r.resolve(value) } ?? value)
                        }
                        guard blockDecoder.remaining == 0 else {
                            throw AvroError(.corruptData, "\(blockDecoder.remaining) bytes left over after the block's records")
                        }
                    }
                } catch var error as AvroError {
                    error.block = error.block ?? block
                    throw error
                }
                block += 1
            }
            return (writer, metadata, codec, records)
        }
    }

    private static func decompress(_ data: [UInt8], codec: CompressionCodec, limits: DecompressionLimits) throws(AvroError) -> [UInt8] {
        if codec == .uncompressed { return data }
        do {
            if codec == .snappy {
                // Avro's snappy blocks end with the big-endian CRC-32 of the uncompressed data.
                guard data.count >= 4 else { throw AvroError(.corruptData, "snappy block shorter than its checksum") }
                let payload = Array(data.dropLast(4))
                let plain = try payload.withUnsafeBytes { (bytes) throws(CodecError) in try Decompressor.decompress(.snappy, bytes, limits: limits) }
                let expected = data.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                guard plain.withUnsafeBytes({ CRC32.checksum($0) }) == expected else {
                    throw AvroError(.corruptData, "snappy block checksum mismatch")
                }
                return plain
            }
            return try data.withUnsafeBytes { (bytes) throws(CodecError) in try Decompressor.decompress(codec, bytes, limits: limits) }
        } catch let error as AvroError {
            throw error
        } catch {
            throw AvroError(.corruptData, "\(error)", cause: error)
        }
    }
}

extension AvroSchema {
    /// True for schemas whose values take no bytes (null, empty records): a block of them may
    /// declare more records than it has bytes.
    var isZeroSize: Bool {
        switch base {
        case .null: return true
        case .record(_, let fields): return fields.allSatisfy { $0.schema.isZeroSize }
        case .fixed(_, let size): return size == 0
        default: return false
        }
    }
}
