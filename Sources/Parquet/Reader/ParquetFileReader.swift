import Columnar

/// Reads a Parquet file through a ``RandomAccessReader``: the footer in at most two reads (a
/// speculative tail read, then the rest if the footer is larger), then the projected column
/// chunks of a row group in one batch of ranges (which remote readers coalesce).
public final class ParquetFileReader<Source: RandomAccessReader>: Sendable {
    public let source: Source
    /// The name used in errors (a path or object key).
    public let name: String
    public let metadata: FileMetaData
    public let schema: ParquetSchema
    public let options: ReadOptions
    public let fileSize: Int
    /// The offset of the footer, where the data ends.
    public let footerOffset: Int

    /// Reads and decodes the footer.
    /// - Throws: `ParquetError` naming the file.
    public init(source: Source, name: String, options: ReadOptions = ReadOptions()) async throws {
        self.source = source
        self.name = name
        self.options = options
        do {
            let size = try await source.size()
            fileSize = size
            guard size >= 12 else { throw ParquetError(.truncated, "file of \(size) bytes is too small to be Parquet") }
            var range = FooterDecoder.initialRange(fileSize: size, readSize: options.footerReadSize)
            while true {
                let tail = try await source.read(range)
                // The leading magic is checked when the tail read covers it (it costs no request).
                if range.lowerBound == 0, Array(tail.prefix(4)) != Array("PAR1".utf8) {
                    throw ParquetError(.notParquet, "the file does not start with the PAR1 magic", offset: 0)
                }
                let step = try tail.withUnsafeBytes { bytes throws(ParquetError) in try FooterDecoder.decode(fileSize: size, tail: bytes) }
                switch step {
                case .needs(let larger):
                    guard larger.count > range.count else { throw ParquetError(.corruptMetadata, "footer range does not grow") }
                    range = larger
                    continue
                case .metadata(let metadata, let footerOffset):
                    self.metadata = metadata
                    self.footerOffset = footerOffset
                    self.schema = try ParquetSchema(elements: metadata.schema)
                }
                break
            }
        } catch let error as ParquetError {
            throw error.with(file: name)
        }
    }

    /// The number of rows over all row groups.
    public var rowCount: Int { metadata.rowGroups.reduce(0) { $0 + Int($1.numRows) } }

    /// Indices of the top-level fields named in `columns` (all fields when nil).
    /// - Throws: `.columnNotFound` naming the first unknown column.
    public func fieldIndices(_ columns: [String]?) throws(ParquetError) -> [Int] {
        guard let columns else { return Array(schema.fields.indices) }
        var result: [Int] = []
        for column in columns {
            guard let index = schema.fields.firstIndex(where: { $0.name == column }) else {
                throw ParquetError(.columnNotFound, "no column named \(column)", file: name)
            }
            result.append(index)
        }
        return result
    }

    /// The output schema for `fields`.
    public func outputFields(_ fields: [Int]) throws(ParquetError) -> [Field] {
        var result: [Field] = []
        for index in fields {
            let node = schema.fields[index]
            do {
                let plan = try schema.plan(field: index)
                result.append(Field(name: node.name, type: plan.dataType, nullable: node.repetition != .required,
                                    fieldId: node.element.fieldId.map(Int.init), isNullType: node.element.logicalType == .unknown))
            } catch {
                throw error.with(file: name, column: node.name)
            }
        }
        return result
    }

    /// The sans-I/O decoder of row group `index` for `fields`.
    public func rowGroupDecoder(_ index: Int, fields: [Int]) throws(ParquetError) -> RowGroupDecoder {
        try RowGroupDecoder(metadata: metadata, schema: schema, rowGroup: index, fields: fields, dataEnd: footerOffset, options: options)
    }

    /// Decodes row group `index`, reading only the chunks of `fields`.
    public func readRowGroup(_ index: Int, fields: [Int]) async throws -> RecordBatch {
        do {
            let decoder = try rowGroupDecoder(index, fields: fields)
            let needed = try decoder.chunkRanges()
            let bytes = try await source.read(ranges: needed.map(\.range))
            var chunks: [Int: [UInt8]] = [:]
            for (request, data) in zip(needed, bytes) { chunks[request.leaf] = data }
            return try decoder.decode(chunks: chunks)
        } catch let error as ParquetError {
            throw error.with(file: name, rowGroup: index)
        }
    }
}
