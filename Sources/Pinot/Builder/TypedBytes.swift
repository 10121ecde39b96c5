extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws a typed error.
    @inline(__always)
    func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>?
        withUnsafeBytes { raw in result = Result { () throws(E) in try body(raw) } }
        return try result!.get()
    }
}

extension Int {
    /// The smallest power of two at least `self` (1 for values below 1).
    var roundedUpToPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
