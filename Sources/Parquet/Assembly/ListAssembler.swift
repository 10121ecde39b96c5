import Columnar

/// Builds a multi-value (list of primitive) column from one leaf's levels: a null or empty list
/// per row where the levels say so, and element nulls kept (Pinot's rules drop them later).
enum ListAssembler {
    static func assemble(
        leaf: DecodedLeaf, elements dense: ColumnStorage, elementType: DataType,
        listDefinitionLevel: Int, elementDefinitionLevel: Int, maxDefinitionLevel: Int
    ) throws -> Column {
        var offsets: [Int32] = [0]
        var rowValidity = ValidityBitmap(reservingCapacity: leaf.slotCount)
        var elementValidity = ValidityBitmap(reservingCapacity: leaf.slotCount)
        var elementCount: Int32 = 0
        let definitions = leaf.definitionLevels
        let repetitions = leaf.repetitionLevels
        for i in 0..<leaf.slotCount {
            let definition = Int(definitions[i])
            if repetitions[i] == 0 {
                if i > 0 { offsets.append(elementCount) }
                rowValidity.append(definition >= listDefinitionLevel)
            } else if i == 0 {
                throw ParquetError(.corruptPage, "the first level entry continues a list (repetition level \(repetitions[i]))")
            }
            if definition >= elementDefinitionLevel {
                elementValidity.append(definition == maxDefinitionLevel)
                elementCount += 1
            }
        }
        if leaf.slotCount > 0 { offsets.append(elementCount) }
        guard elementValidity.count - elementValidity.nullCount == dense.count else {
            throw ParquetError(.corruptPage, "levels declare \(elementValidity.count - elementValidity.nullCount) values, the pages hold \(dense.count)")
        }
        let child = Column(type: elementType, storage: dense.scattered(over: elementValidity), validity: elementValidity)
        return Column(type: .list(elementType), storage: .list(offsets: offsets, child: child), validity: rowValidity)
    }
}
