import Columnar

/// Everything decoded from one leaf column chunk.
struct DecodedLeaf {
    /// Non-null values in physical form (empty while ``dictionary`` is in use).
    var values: PhysicalValues
    /// Set when every data page was dictionary-encoded: the values are `dictionary[indices]`.
    var dictionary: PhysicalValues?
    var indices: [Int32] = []
    /// Flat columns: which slots are valid (nil when the column is required).
    var validity: ValidityBitmap?
    /// Nested and list columns: the levels of every slot.
    var definitionLevels: [UInt16] = []
    var repetitionLevels: [UInt16] = []
    /// Level entries (values, nulls and empty lists) decoded.
    var slotCount = 0
}
