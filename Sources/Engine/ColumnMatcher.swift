import Columnar
import Foundation
import Iceberg

/// Where the value of one Iceberg column comes from in one data file.
public enum ColumnSource: Sendable, Equatable {
    /// The Parquet column at this index of the file's top-level fields.
    case column(Int)
    /// An identity partition value from the manifest (the file does not store the column).
    case partition(PartitionValue)
    /// Absent from the file (an older file, before the column was added): null in every row.
    case missing
}

/// Matches a data file's Parquet columns to the table's Iceberg schema (DESIGN.md, "Type
/// mapping"): by field id, then by the table's name mapping (`schema.name-mapping.default`), then
/// by name; a column still unmatched is filled from an identity partition value where the table
/// is partitioned by it, and is null otherwise. Renamed and re-ordered columns land correctly.
public struct ColumnMatcher: Sendable {
    public let schema: IcebergSchema
    public let spec: PartitionSpec
    /// Field id → names the mapping allows for it.
    private let mappedNames: [Int: [String]]

    public init(schema: IcebergSchema, spec: PartitionSpec, nameMapping: String?) {
        self.schema = schema
        self.spec = spec
        var names: [Int: [String]] = [:]
        if let nameMapping, let data = nameMapping.data(using: .utf8),
           let entries = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] {
            for entry in entries {
                if let id = (entry["field-id"] as? NSNumber)?.intValue, let list = entry["names"] as? [String] { names[id] = list }
            }
        }
        mappedNames = names
    }

    /// One source per top-level Iceberg field, in schema order.
    public func match(fileFields: [Field], partition: [PartitionValue]) -> [ColumnSource] {
        schema.fields.map { field in
            if let index = fileFields.firstIndex(where: { $0.fieldId == field.id }) { return .column(index) }
            let withoutIds = fileFields.allSatisfy { $0.fieldId == nil }
            if withoutIds {
                if let names = mappedNames[field.id], let index = fileFields.firstIndex(where: { names.contains($0.name) }) {
                    return .column(index)
                }
                if mappedNames.isEmpty, let index = fileFields.firstIndex(where: { $0.name == field.name }) { return .column(index) }
            }
            if let partitionField = spec.fields.first(where: { $0.sourceId == field.id && $0.transform == .identity }),
               let value = partition.first(where: { $0.fieldId == partitionField.fieldId || $0.name == partitionField.name }) {
                return .partition(value)
            }
            return .missing
        }
    }
}
