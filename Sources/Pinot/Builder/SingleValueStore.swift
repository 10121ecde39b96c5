import Columnar

/// A single-value column's stored values without an object per row: fixed-width values as bit
/// patterns in one array, variable-width values back to back in one byte buffer.
struct SingleValueStore {
    enum Kind { case int, long, float, double, bytes }

    let kind: Kind
    private(set) var numbers: [UInt64] = []
    private(set) var blobs = ByteArrays()

    init(type: PinotDataType) {
        switch type {
        case .int, .boolean: kind = .int
        case .long, .timestamp: kind = .long
        case .float: kind = .float
        case .double: kind = .double
        default: kind = .bytes
        }
    }

    var count: Int { kind == .bytes ? blobs.count : numbers.count }

    mutating func append(_ cell: StoredCell) {
        switch cell {
        case .int(let v): numbers.append(UInt64(bitPattern: Int64(v)))
        case .long(let v): numbers.append(UInt64(bitPattern: v))
        case .float(let bits): numbers.append(UInt64(bits))
        case .double(let bits): numbers.append(bits)
        case .bytes(let b): blobs.append(b)
        }
    }

    mutating func append(bytes: ArraySlice<UInt8>) { blobs.append(bytes) }

    /// The value at `index` as a cell (allocates for variable-width values: use sparingly).
    subscript(index: Int) -> StoredCell {
        switch kind {
        case .int: .int(Int32(truncatingIfNeeded: Int64(bitPattern: numbers[index])))
        case .long: .long(Int64(bitPattern: numbers[index]))
        case .float: .float(UInt32(truncatingIfNeeded: numbers[index]))
        case .double: .double(numbers[index])
        case .bytes: .bytes(Array(blobs[index]))
        }
    }

    /// A sortable key for a fixed-width value.
    private func key(_ index: Int) -> Double {
        switch kind {
        case .float: Double(Float(bitPattern: UInt32(truncatingIfNeeded: numbers[index])))
        case .double: Double(bitPattern: numbers[index])
        default: 0
        }
    }

    private func integer(_ index: Int) -> Int64 { Int64(bitPattern: numbers[index]) }

    /// Whether `a` sorts before `b` in the column's Java order.
    func less(_ a: Int, _ b: Int, order: CellOrder) -> Bool {
        switch kind {
        case .int, .long: integer(a) < integer(b)
        case .float, .double: key(a) < key(b)
        case .bytes: order.lessBytes(blobs[a], blobs[b])
        }
    }

    func equal(_ a: Int, _ b: Int) -> Bool {
        kind == .bytes ? blobs[a].elementsEqual(blobs[b]) : numbers[a] == numbers[b]
    }

    /// True when no value sorts before the one before it (Pinot's `isSorted`).
    func isNonDecreasing(order: CellOrder) -> Bool {
        guard count > 1 else { return true }
        for i in 1..<count where less(i, i - 1, order: order) { return false }
        return true
    }

    /// The sorted distinct values and each row's index among them, by sorting row indices.
    func sortedDictionary(order: CellOrder) -> ([StoredCell], [Int]) {
        var ids = [Int](repeating: 0, count: count)
        var dictionary: [StoredCell] = []
        let sorted: [Int]
        switch kind {
        case .int, .long:
            sorted = (0..<count).sorted { integer($0) < integer($1) }
        case .float, .double:
            sorted = (0..<count).sorted { key($0) < key($1) }
        case .bytes:
            sorted = (0..<count).sorted { order.lessBytes(blobs[$0], blobs[$1]) }
        }
        var previous: Int?
        for index in sorted {
            if previous == nil || !equal(previous!, index) { dictionary.append(self[index]) }
            ids[index] = dictionary.count - 1
            previous = index
        }
        return (dictionary, ids)
    }

    /// Total bytes of the variable-width values.
    var totalBytes: Int { blobs.data.count }
}
