import Foundation

/// File-system failures in the system's words (`not a directory`, `permission denied`) rather
/// than Foundation's generic sentences or `NSCocoaErrorDomain` codes.
public enum FileErrorText {
    public static func describe(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return posix(Int32(error.code)) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(underlying.code))
        }
        switch error.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return posix(ENOENT)
        case NSFileWriteFileExistsError: return posix(EEXIST)
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return posix(EACCES)
        case NSFileWriteOutOfSpaceError: return posix(ENOSPC)
        case NSFileWriteVolumeReadOnlyError: return posix(EROFS)
        default: return "the file system refused (error \(error.code))"
        }
    }

    private static func posix(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}
