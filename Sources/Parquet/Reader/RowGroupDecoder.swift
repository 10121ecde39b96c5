import Columnar

/// Decodes one row group into a ``RecordBatch``, sans-I/O: ``chunkRanges`` names the byte ranges
/// it needs (one per projected leaf column chunk); ``decode(chunks:)`` is handed their bytes.
public struct RowGroupDecoder: Sendable {
    public let metadata: FileMetaData
    public let schema: ParquetSchema
    public let rowGroupIndex: Int
    /// Indices into `schema.fields` of the output columns.
    public let fieldIndices: [Int]
    public let options: ReadOptions
    /// Where the data ends (the footer's offset): the bound for the padding below.
    public let dataEnd: Int
    let plans: [FieldPlan]

    public init(
        metadata: FileMetaData, schema: ParquetSchema, rowGroup: Int, fields: [Int], dataEnd: Int, options: ReadOptions
    ) throws(ParquetError) {
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count else {
            throw ParquetError(.corruptMetadata, "no row group \(rowGroup)")
        }
        self.metadata = metadata
        self.schema = schema
        self.rowGroupIndex = rowGroup
        self.fieldIndices = fields
        self.options = options
        self.dataEnd = dataEnd
        var plans: [FieldPlan] = []
        for field in fields { plans.append(try schema.plan(field: field)) }
        self.plans = plans
        let group = metadata.rowGroups[rowGroup]
        guard group.columns.count == schema.columns.count else {
            throw ParquetError(.corruptMetadata, "row group has \(group.columns.count) column chunks, the schema \(schema.columns.count) leaves", rowGroup: rowGroup)
        }
    }

    var rowGroup: RowGroup { metadata.rowGroups[rowGroupIndex] }

    /// The leaf columns this decoder needs, in file order.
    public var leafIndices: [Int] { plans.flatMap(\.leaves).sorted() }

    /// The byte range of each needed column chunk, keyed by leaf index.
    public func chunkRanges() throws(ParquetError) -> [(leaf: Int, range: Range<Int>)] {
        var ranges: [(Int, Range<Int>)] = []
        for leaf in leafIndices {
            let chunk = rowGroup.columns[leaf]
            guard let meta = chunk.metaData, !chunk.isEncrypted else {
                throw ParquetError(.unsupportedFeature, "column chunk metadata is encrypted or missing",
                                   rowGroup: rowGroupIndex, column: schema.columns[leaf].dottedPath)
            }
            if let path = chunk.filePath, !path.isEmpty {
                throw ParquetError(.unsupportedFeature, "column chunk lives in another file (\(path))",
                                   rowGroup: rowGroupIndex, column: schema.columns[leaf].dottedPath)
            }
            guard meta.numValues > 0 else { continue }
            var range = meta.chunkRange
            if metadata.writerUnderstatesChunkSizes {
                range = range.lowerBound..<min(dataEnd, range.upperBound + 100)
            }
            ranges.append((leaf, range))
        }
        return ranges
    }

    /// Decodes the row group from the chunk bytes named by ``chunkRanges()``.
    public func decode(chunks: [Int: [UInt8]]) throws -> RecordBatch {
        guard rowGroup.numRows <= Int64(options.maxValuesPerColumnChunk) else {
            throw ParquetError(.corruptMetadata, "row group declares \(rowGroup.numRows) rows (limit \(options.maxValuesPerColumnChunk))", rowGroup: rowGroupIndex)
        }
        let rowCount = Int(rowGroup.numRows)
        var fields: [Field] = []
        var columns: [Column] = []
        for (field, plan) in zip(fieldIndices, plans) {
            let node = schema.fields[field]
            do {
                columns.append(try decodeField(plan, chunks: chunks, rowCount: rowCount))
            } catch let error as ParquetError {
                throw error.with(rowGroup: rowGroupIndex, column: node.name)
            }
            fields.append(Field(name: node.name, type: plan.dataType, nullable: node.repetition != .required,
                                fieldId: node.element.fieldId.map(Int.init)))
        }
        return RecordBatch(fields: fields, columns: columns, rowCount: rowCount)
    }

    private func decodeLeaf(_ leaf: Int, mode: ColumnChunkDecoder.LevelMode, chunks: [Int: [UInt8]]) throws -> DecodedLeaf {
        guard let meta = rowGroup.columns[leaf].metaData, let bytes = chunks[leaf] ?? (meta.numValues == 0 ? [] : nil) else {
            throw ParquetError(.io, "column chunk bytes were not supplied", column: schema.columns[leaf].dottedPath)
        }
        var decoder = try ColumnChunkDecoder(descriptor: schema.columns[leaf], metadata: meta, options: options, mode: mode)
        return try bytes.withUnsafeBytes { try decoder.decode($0, chunkOffset: Int(meta.chunkStart)) }
    }

    /// The leaf's non-null values, converted; moves them out of `leaf` so conversions can reuse
    /// their storage.
    private func denseStorage(_ leaf: inout DecodedLeaf, _ mapping: LeafMapping) throws -> ColumnStorage {
        if let dictionary = leaf.dictionary {
            return .dictionary(values: try dictionary.storage(mapping.conversion), indices: leaf.indices)
        }
        let values = leaf.values
        leaf.values = PhysicalValues(type: values.type, width: values.width)
        return try values.storage(mapping.conversion)
    }

    private func decodeField(_ plan: FieldPlan, chunks: [Int: [UInt8]], rowCount: Int) throws -> Column {
        switch plan {
        case .primitive(let leafIndex, let mapping):
            var leaf = try decodeLeaf(leafIndex, mode: .flat, chunks: chunks)
            guard leaf.slotCount == rowCount else {
                throw ParquetError(.corruptPage, "column holds \(leaf.slotCount) values, the row group \(rowCount) rows")
            }
            let dense = try denseStorage(&leaf, mapping)
            guard let validity = leaf.validity, validity.nullCount > 0 else {
                return Column(type: mapping.type, storage: dense)
            }
            return Column(type: mapping.type, storage: dense, validity: validity)
        case .list(let leafIndex, let mapping, let listLevel, let elementLevel):
            var leaf = try decodeLeaf(leafIndex, mode: .levels, chunks: chunks)
            let elements = try denseStorage(&leaf, mapping)
            let column = try ListAssembler.assemble(
                leaf: leaf, elements: elements, elementType: mapping.type,
                listDefinitionLevel: listLevel, elementDefinitionLevel: elementLevel,
                maxDefinitionLevel: schema.columns[leafIndex].maxDefinitionLevel)
            guard column.count == rowCount else {
                throw ParquetError(.corruptPage, "column holds \(column.count) rows, the row group \(rowCount)")
            }
            return column
        case .json(let node):
            var leaves: [Int: NestedAssembler.Leaf] = [:]
            for leafIndex in node.leaves {
                var decoded = try decodeLeaf(leafIndex, mode: .levels, chunks: chunks)
                let mapping = try schema.columns[leafIndex].mapping()
                let values = Column(type: mapping.type, storage: try denseStorage(&decoded, mapping))
                leaves[leafIndex] = NestedAssembler.Leaf(decoded: decoded, values: values, column: schema.columns[leafIndex])
            }
            return try NestedAssembler(root: node, schema: schema).assemble(leaves, rowCount: rowCount)
        }
    }
}

extension FileMetaData {
    /// parquet-mr up to 1.2.8 left the dictionary page header out of `total_compressed_size`
    /// (PARQUET-816): readers pad such chunks by up to 100 bytes, as Arrow does.
    var writerUnderstatesChunkSizes: Bool {
        guard let createdBy, createdBy.hasPrefix("parquet-mr") else { return false }
        let words = createdBy.split(separator: " ")
        guard words.count >= 3, words[1] == "version" else { return true }
        let parts = words[2].split(separator: ".").map { Int($0.prefix(while: \.isNumber)) ?? 0 }
        let version = (parts.count > 0 ? parts[0] : 0, parts.count > 1 ? parts[1] : 0, parts.count > 2 ? parts[2] : 0)
        return version < (1, 2, 9)
    }
}
