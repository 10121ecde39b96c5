/// A column's entry in `metadata.properties` (spec §2.3).
public struct ColumnMetadata: Sendable {
    public var name: String
    public var columnType: String
    public var dataType: PinotDataType
    public var singleValue: Bool
    public var cardinality: Int
    public var totalDocs: Int
    public var hasDictionary: Bool
    public var isSorted: Bool
    public var bitsPerElement: Int
    public var lengthOfEachEntry: Int
    public var lengthOfLongestElement: Int?
    public var maxNumberOfMultiValues: Int
    public var totalNumberOfEntries: Int
    public var defaultNullValue: String?
    public var minValue: String?
    public var maxValue: String?
}

/// `metadata.properties` (spec §2): the segment's name, row count, columns and time range.
public struct SegmentMetadata: Sendable {
    public var name: String
    public var tableName: String?
    public var totalDocs: Int
    public var indexVersion: String
    public var timeColumn: String?
    public var startTime: Int64?
    public var endTime: Int64?
    public var timeUnit: String?
    public var columns: [ColumnMetadata]
    public var properties: JavaProperties

    /// What a count or size in the metadata may be: Pinot stores them as Java ints.
    static let counts = 0...Int(Int32.max)

    /// Reads the metadata text.
    /// - Throws: `.corrupt` when a required key is missing or malformed.
    public init(text: String) throws(SegmentError) {
        let p = JavaProperties(text: text)
        properties = p
        guard let name = p["segment.name"] else { throw SegmentError(.corrupt, "metadata.properties lacks segment.name") }
        guard let docs = p["segment.total.docs"].flatMap(Int.init), Self.counts.contains(docs) else {
            throw SegmentError(.corrupt, "metadata.properties lacks a segment.total.docs in \(Self.counts)", segment: name)
        }
        self.name = name
        tableName = p["segment.table.name"]
        totalDocs = docs
        indexVersion = p["segment.index.version"] ?? "v1"
        timeColumn = p["segment.time.column.name"]
        startTime = p["segment.start.time"].flatMap { Int64($0) }
        endTime = p["segment.end.time"].flatMap { Int64($0) }
        timeUnit = p["segment.time.unit"]
        var names: [String] = []
        for key in ["segment.dimension.column.names", "segment.metric.column.names", "segment.datetime.column.names",
                    "segment.complex.column.names"] {
            for column in p.list(key) where !column.isEmpty && !names.contains(column) { names.append(column) }
        }
        if let time = timeColumn, !time.isEmpty, !names.contains(time) { names.append(time) }
        var columns: [ColumnMetadata] = []
        for column in names {
            func value(_ key: String) -> String? { p["column.\(column).\(key)"] }
            /// A count or size: absent gives `fallback` (nil: required), present must be in `range`.
            func count(_ key: String, _ fallback: Int?, in range: ClosedRange<Int> = Self.counts) throws(SegmentError) -> Int {
                guard let text = value(key) else {
                    guard let fallback else {
                        throw SegmentError(.corrupt, "metadata lacks column.\(column).\(key)", column: column, segment: name)
                    }
                    return fallback
                }
                guard let number = Int(text), range.contains(number) else {
                    throw SegmentError(.corrupt, "column.\(column).\(key) = \(text) is not a number in \(range)", column: column, segment: name)
                }
                return number
            }
            guard let typeName = value("dataType"), let dataType = PinotDataType(rawValue: typeName) else {
                throw SegmentError(.corrupt, "metadata lacks a known column.\(column).dataType", column: column, segment: name)
            }
            let singleValue = value("isSingleValues").map { $0 == "true" } ?? true
            columns.append(ColumnMetadata(
                name: column, columnType: value("columnType") ?? "DIMENSION", dataType: dataType, singleValue: singleValue,
                cardinality: try count("cardinality", nil), totalDocs: try count("totalDocs", docs),
                hasDictionary: value("hasDictionary").map { $0 == "true" } ?? true, isSorted: value("isSorted") == "true",
                bitsPerElement: try count("bitsPerElement", -1, in: -1...64),
                lengthOfEachEntry: try count("lengthOfEachEntry", 0),
                lengthOfLongestElement: value("lengthOfLongestElement") == nil ? nil : try count("lengthOfLongestElement", nil),
                maxNumberOfMultiValues: try count("maxNumberOfMultiValues", 0),
                totalNumberOfEntries: try count("totalNumberOfEntries", docs),
                defaultNullValue: value("defaultNullValue"), minValue: value("minValue"), maxValue: value("maxValue")))
        }
        self.columns = columns
    }
}
