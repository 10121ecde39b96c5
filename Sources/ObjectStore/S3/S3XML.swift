/// Just enough XML for S3's answers (ListObjectsV2 results and error documents): elements by
/// name, their text, and the five predefined entities plus numeric references.
enum S3XML {
    /// The inner text of every `<name>…</name>` element in `xml`, in order.
    static func elements(_ name: String, in xml: Substring) -> [Substring] {
        var result: [Substring] = []
        let open = "<\(name)>"
        let close = "</\(name)>"
        var rest = xml[...]
        while let start = rest.range(of: open) {
            guard let end = rest[start.upperBound...].range(of: close) else { break }
            result.append(rest[start.upperBound..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        return result
    }

    /// The unescaped text of the first `<name>` element.
    static func text(_ name: String, in xml: Substring) -> String? {
        elements(name, in: xml).first.map { unescape($0) }
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) { out.unicodeScalars.append(scalar) } else { out += "&\(entity);" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}

/// S3's error document and status, turned into an `ObjectStoreError`.
enum S3ErrorMapping {
    static func error(status: Int, body: [UInt8], requestId: String?, bucket: String, key: String?) -> ObjectStoreError {
        let xml = String(decoding: body, as: UTF8.self)[...]
        let serviceCode = S3XML.text("Code", in: xml)
        let message = S3XML.text("Message", in: xml)
        let requestId = S3XML.text("RequestId", in: xml) ?? requestId
        let code: ObjectStoreError.Code
        switch (serviceCode, status) {
        case ("AccessDenied"?, _), ("AllAccessDisabled"?, _): code = .accessDenied
        case ("PermanentRedirect"?, _), ("AuthorizationHeaderMalformed"?, _), ("IllegalLocationConstraintException"?, _), (_, 301):
            code = .wrongRegion
        case ("InvalidAccessKeyId"?, _): code = .invalidAccessKey
        case ("SignatureDoesNotMatch"?, _): code = .signatureMismatch
        case ("ExpiredToken"?, _), ("InvalidToken"?, _), ("TokenRefreshRequired"?, _): code = .expiredToken
        case ("NoSuchBucket"?, _): code = .noSuchBucket
        case ("NoSuchKey"?, _): code = .noSuchKey
        case ("PreconditionFailed"?, _), (_, 412): code = .preconditionFailed
        case ("ConditionalRequestConflict"?, _), (_, 409): code = .conflict
        case ("InvalidRange"?, _), (_, 416): code = .invalidRange
        case ("SlowDown"?, _), ("Throttling"?, _), ("RequestLimitExceeded"?, _), (_, 503), (_, 429): code = .throttled
        case (_, 500...599): code = .serverError
        case (_, 404): code = key == nil ? .noSuchBucket : .noSuchKey
        case (_, 403): code = .accessDenied
        default: code = .invalidResponse
        }
        let text = message ?? defaultMessage(code, status: status)
        return ObjectStoreError(code, text, bucket: bucket, key: key, status: status, serviceCode: serviceCode, requestId: requestId)
    }

    private static func defaultMessage(_ code: ObjectStoreError.Code, status: Int) -> String {
        switch code {
        case .accessDenied: "access denied: check the credentials' s3:GetObject / s3:ListBucket / s3:PutObject permissions"
        case .noSuchKey: "no such key"
        case .noSuchBucket: "no such bucket"
        case .invalidRange: "the range starts past the end of the object"
        case .throttled: "the service asked to slow down"
        default: "HTTP status \(status)"
        }
    }
}
