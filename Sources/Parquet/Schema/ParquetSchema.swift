import Columnar

/// One node of the schema tree built from the footer's flattened `SchemaElement` list, with the
/// definition and repetition levels that the Dremel encoding gives it (parquet-format README,
/// "Nested Encoding").
public struct SchemaNode: Sendable {
    public var element: SchemaElement
    public var children: [SchemaNode]
    /// Names from the top-level field down to this node.
    public var path: [String]
    /// The definition level a value has when this node is present (non-null / non-empty).
    public var definitionLevel: Int
    /// The repetition level of this node's repeated ancestor-or-self (0 if none).
    public var repetitionLevel: Int
    /// The leaf columns under this node, as indices into ``ParquetSchema/columns``.
    public var leaves: Range<Int>

    public var name: String { element.name }
    public var isLeaf: Bool { element.numChildren == nil || children.isEmpty && element.type != nil }
    public var repetition: Repetition { element.repetition ?? .required }

    var isListAnnotated: Bool { element.logicalType == .list || element.convertedType == .list }
    /// A MAP group; MAP_KEY_VALUE on the repeated entry group itself is the legacy entry marker.
    var isMapAnnotated: Bool {
        repetition != .repeated
            && (element.logicalType == .map || element.convertedType == .map || element.convertedType == .mapKeyValue)
    }
}

/// A leaf column: what the column chunks of one leaf hold.
public struct ColumnDescriptor: Sendable {
    public var path: [String]
    public var element: SchemaElement
    public var physicalType: PhysicalType
    public var typeLength: Int
    public var maxDefinitionLevel: Int
    public var maxRepetitionLevel: Int

    public var dottedPath: String { path.joined(separator: ".") }
}

/// The schema of a Parquet file: the tree, its leaf columns, and the top-level fields.
public struct ParquetSchema: Sendable {
    public var root: SchemaNode
    public var columns: [ColumnDescriptor]

    /// Top-level fields (the root's children), one per output column.
    public var fields: [SchemaNode] { root.children }

    /// Builds the tree from the flattened depth-first list in the footer.
    /// - Throws: `ParquetError.invalidSchema` if the list is malformed.
    public init(elements: [SchemaElement]) throws(ParquetError) {
        guard let first = elements.first else { throw ParquetError(.invalidSchema, "the schema is empty") }
        var builder = Builder(elements: elements)
        guard first.numChildren != nil || elements.count == 1 else {
            throw ParquetError(.invalidSchema, "the schema root is not a group")
        }
        root = try builder.node(at: 0, parentPath: [], definitionLevel: 0, repetitionLevel: 0, depth: 0, isRoot: true)
        guard builder.next == elements.count else {
            throw ParquetError(.invalidSchema, "the schema list has \(elements.count - builder.next) elements outside the tree")
        }
        columns = builder.columns
    }

    private struct Builder {
        let elements: [SchemaElement]
        var next = 0
        var columns: [ColumnDescriptor] = []

        init(elements: [SchemaElement]) { self.elements = elements }

        mutating func node(
            at index: Int, parentPath: [String], definitionLevel: Int, repetitionLevel: Int, depth: Int, isRoot: Bool
        ) throws(ParquetError) -> SchemaNode {
            guard depth < 100 else { throw ParquetError(.invalidSchema, "the schema nests deeper than 100 levels") }
            guard index < elements.count else { throw ParquetError(.invalidSchema, "a group declares more children than the schema holds") }
            let element = elements[index]
            next = index + 1
            var definition = definitionLevel
            var repetition = repetitionLevel
            if !isRoot {
                switch element.repetition ?? .required {
                case .required: break
                case .optional: definition += 1
                case .repeated: definition += 1; repetition += 1
                }
            }
            let path = isRoot ? [] : parentPath + [element.name]
            let firstLeaf = columns.count
            var children: [SchemaNode] = []
            if let count = element.numChildren, count > 0 || element.type == nil {
                guard count >= 0, count <= elements.count - next else {
                    throw ParquetError(.invalidSchema, "group \(element.name) declares \(count) children")
                }
                for _ in 0..<count {
                    children.append(try node(
                        at: next, parentPath: path, definitionLevel: definition, repetitionLevel: repetition,
                        depth: depth + 1, isRoot: false))
                }
            } else if !isRoot {
                guard let type = element.type else {
                    throw ParquetError(.invalidSchema, "leaf \(path.joined(separator: ".")) has no physical type")
                }
                let length = Int(element.typeLength ?? 0)
                if type == .fixedLenByteArray, length <= 0 {
                    throw ParquetError(.invalidSchema, "FIXED_LEN_BYTE_ARRAY column \(path.joined(separator: ".")) has type_length \(length)")
                }
                columns.append(ColumnDescriptor(
                    path: path, element: element, physicalType: type, typeLength: length,
                    maxDefinitionLevel: definition, maxRepetitionLevel: repetition))
            }
            return SchemaNode(
                element: element, children: children, path: path, definitionLevel: definition,
                repetitionLevel: repetition, leaves: firstLeaf..<columns.count)
        }
    }
}
