import Columnar

/// Reassembles structs, maps and nested lists from their leaves' definition and repetition
/// levels (the Dremel record assembly), and renders each row as JSON text, as DESIGN.md maps
/// them: structs as objects, maps with string keys as objects, other maps as arrays of
/// key/value objects, lists as arrays.
struct NestedAssembler {
    /// One leaf's share of a value: a tree shaped like the schema path to the leaf.
    indirect enum Assembled {
        case null
        case value(Int)
        case list([Assembled])
        case group([Assembled?])
    }

    struct Leaf {
        var decoded: DecodedLeaf
        /// The dense, converted values.
        var values: Column
        var column: ColumnDescriptor
    }

    let root: SchemaNode
    let schema: ParquetSchema

    /// Builds the JSON text column for `root` from its leaves (in schema order).
    func assemble(_ leaves: [Int: Leaf], rowCount: Int) throws -> Column {
        var rows = [Assembled?](repeating: nil, count: rowCount)
        for leafIndex in root.leaves {
            guard let leaf = leaves[leafIndex] else { throw ParquetError(.corruptMetadata, "leaf \(leafIndex) was not decoded") }
            let path = nodePath(to: leafIndex)
            var parser = LevelParser(path: path, definitions: leaf.decoded.definitionLevels,
                                     repetitions: leaf.decoded.repetitionLevels, count: leaf.decoded.slotCount)
            var row = 0
            while parser.cursor < parser.count {
                guard row < rowCount else { throw ParquetError(.corruptPage, "column \(leaf.column.dottedPath) holds more rows than the row group") }
                guard parser.repetitions[parser.cursor] == 0 else {
                    throw ParquetError(.corruptPage, "column \(leaf.column.dottedPath): a row starts with repetition level \(parser.repetitions[parser.cursor])")
                }
                let tree = try parser.parse(0)
                rows[row] = try rows[row].map { try merge($0, tree) } ?? tree
                row += 1
            }
            guard row == rowCount else { throw ParquetError(.corruptPage, "column \(leaf.column.dottedPath) holds \(row) rows, the row group \(rowCount)") }
            guard parser.nextValue == leaf.values.count else {
                throw ParquetError(.corruptPage, "column \(leaf.column.dottedPath): levels declare \(parser.nextValue) values, the pages hold \(leaf.values.count)")
            }
        }
        var text = ByteArrays()
        var validity = ValidityBitmap(reservingCapacity: rowCount)
        for row in rows {
            guard let row, case let rendered = try render(root, row, leaves), rendered != "null" else {
                validity.append(false)
                text.append([])
                continue
            }
            validity.append(true)
            guard text.data.count + rendered.utf8.count <= Int(Int32.max) else {
                throw ParquetError(.unsupportedFeature, "the JSON text of \(root.name) passes 2 GiB in one row group")
            }
            text.append(rendered.utf8)
        }
        return Column(type: .json, storage: .byteArrays(text), validity: validity)
    }

    private func nodePath(to leafIndex: Int) -> [SchemaNode] {
        var path = [root]
        var node = root
        while !node.children.isEmpty {
            guard let next = node.children.first(where: { $0.leaves.contains(leafIndex) }) else { break }
            path.append(next)
            node = next
        }
        return path
    }

    private func merge(_ a: Assembled, _ b: Assembled) throws -> Assembled {
        switch (a, b) {
        case (.null, .null): return .null
        case (.list(let x), .list(let y)) where x.count == y.count:
            return .list(try zip(x, y).map { try merge($0, $1) })
        case (.group(let x), .group(let y)) where x.count == y.count:
            var slots = x
            for i in 0..<slots.count {
                if let right = y[i] { slots[i] = try slots[i].map { try merge($0, right) } ?? right }
            }
            return .group(slots)
        default:
            throw ParquetError(.corruptPage, "sibling columns of \(root.path.joined(separator: ".")) disagree on the shape of a row")
        }
    }

    // MARK: rendering

    private func render(_ node: SchemaNode, _ value: Assembled, _ leaves: [Int: Leaf]) throws -> String {
        var out = ""
        try write(node, value, leaves, into: &out)
        return out
    }

    private func write(_ node: SchemaNode, _ value: Assembled, _ leaves: [Int: Leaf], into out: inout String) throws {
        if node.repetition == .repeated, case .list(let items) = value {
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                try writeInner(node, item, leaves, into: &out)
            }
            out += "]"
            return
        }
        try writeInner(node, value, leaves, into: &out)
    }

    private func writeInner(_ node: SchemaNode, _ value: Assembled, _ leaves: [Int: Leaf], into out: inout String) throws {
        switch value {
        case .null:
            out += "null"
        case .value(let index):
            guard let leaf = leaves[node.leaves.lowerBound] else { throw ParquetError(.corruptMetadata, "missing leaf") }
            leaf.values.value(at: index).writeJSON(into: &out)
        case .list:
            throw ParquetError(.corruptPage, "a list where \(node.path.joined(separator: ".")) is not repeated")
        case .group(let slots):
            if node.isListAnnotated, let repeatedValue = slots.first ?? nil {
                let (repeated, element) = try node.listElement()
                guard case .list(let items) = repeatedValue else { throw ParquetError(.corruptPage, "LIST without a repeated value") }
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," }
                    if element.path == repeated.path {
                        try writeInner(repeated, item, leaves, into: &out)
                    } else if case .group(let inner) = item {
                        try write(element, inner.first.flatMap { $0 } ?? .null, leaves, into: &out)
                    } else {
                        out += "null"
                    }
                }
                out += "]"
            } else if node.isMapAnnotated, node.repetition != .repeated, let repeatedValue = slots.first ?? nil {
                let entries = try node.mapEntries()
                guard case .list(let items) = repeatedValue else { throw ParquetError(.corruptPage, "MAP without a repeated value") }
                let key = entries.children[0]
                let stringKeys = key.isLeaf && (try? schema.columns[key.leaves.lowerBound].mapping().type) == .string
                let keysOnly = entries.children.count == 1
                out += stringKeys && !keysOnly ? "{" : "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," }
                    guard case .group(let pair) = item else { throw ParquetError(.corruptPage, "MAP entry is not a group") }
                    let valueNode = entries.children.count > 1 ? entries.children[1] : nil
                    let valueSlot = pair.count > 1 ? pair[1] ?? .null : .null
                    if valueNode == nil {
                        try write(key, pair[0] ?? .null, leaves, into: &out)
                    } else if stringKeys {
                        try write(key, pair[0] ?? .null, leaves, into: &out)
                        out += ":"
                        if let valueNode { try write(valueNode, valueSlot, leaves, into: &out) } else { out += "null" }
                    } else {
                        out += "{\"key\":"
                        try write(key, pair[0] ?? .null, leaves, into: &out)
                        out += ",\"value\":"
                        if let valueNode { try write(valueNode, valueSlot, leaves, into: &out) } else { out += "null" }
                        out += "}"
                    }
                }
                out += stringKeys && !keysOnly ? "}" : "]"
            } else {
                out += "{"
                for (i, child) in node.children.enumerated() {
                    if i > 0 { out += "," }
                    writeJSONString(child.name, into: &out)
                    out += ":"
                    try write(child, (i < slots.count ? slots[i] : nil) ?? .null, leaves, into: &out)
                }
                out += "}"
            }
        }
    }
}

/// Parses one leaf's level entries into per-row trees following the schema path to the leaf.
private struct LevelParser {
    let path: [SchemaNode]
    let definitions: [UInt16]
    let repetitions: [UInt16]
    let count: Int
    var cursor = 0
    var nextValue = 0

    init(path: [SchemaNode], definitions: [UInt16], repetitions: [UInt16], count: Int) {
        self.path = path
        self.definitions = definitions
        self.repetitions = repetitions
        self.count = count
    }

    mutating func parse(_ k: Int) throws -> NestedAssembler.Assembled {
        guard cursor < count else { throw ParquetError(.corruptPage, "level entries end inside a row") }
        let node = path[k]
        let definition = Int(definitions[cursor])
        switch node.repetition {
        case .repeated:
            if definition < node.definitionLevel {
                cursor += 1
                return .list([])
            }
            var items = [try parseInner(k)]
            while cursor < count, Int(repetitions[cursor]) == node.repetitionLevel {
                items.append(try parseInner(k))
            }
            return .list(items)
        case .optional where definition < node.definitionLevel:
            cursor += 1
            return .null
        default:
            return try parseInner(k)
        }
    }

    private mutating func parseInner(_ k: Int) throws -> NestedAssembler.Assembled {
        guard cursor < count else { throw ParquetError(.corruptPage, "level entries end inside a row") }
        if k == path.count - 1 {
            cursor += 1
            defer { nextValue += 1 }
            return .value(nextValue)
        }
        let child = path[k + 1]
        var slots = [NestedAssembler.Assembled?](repeating: nil, count: path[k].children.count)
        let index = path[k].children.firstIndex(where: { $0.path == child.path }) ?? 0
        slots[index] = try parse(k + 1)
        return .group(slots)
    }
}
