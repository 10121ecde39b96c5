import Foundation
@testable import ObjectStore
import Testing
import TestSupport

/// The signer against AWS's Signature Version 4 test vectors in ../shared/corpus/aws-sigv4:
/// canonical request, string to sign and signature, for header and query signing.
@Suite("SigV4 test vectors")
struct SigV4VectorTests {
    static let root = Repository.sharedCorpus + "/aws-sigv4"
    static let cases: [String] = {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else {
            print("skipped: \(root) absent; SigV4 vector tests did not run")
            return []
        }
        return names.filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/request.txt") }.sorted()
    }()

    struct Vector {
        var signer: SigV4Signer
        var request: SigV4Signer.Request
        var epochSeconds: Int64
        var signBody: Bool
        var omitSessionToken: Bool
        var expires: Int
    }

    static func load(_ name: String) throws -> Vector {
        let dir = root + "/" + name
        let context = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/context.json"))) as! [String: Any]
        let credentials = context["credentials"] as! [String: Any]
        let raw = try String(contentsOfFile: dir + "/request.txt", encoding: .utf8)
        let (head, body) = raw.range(of: "\n\n").map { (String(raw[..<$0.lowerBound]), String(raw[$0.upperBound...])) } ?? (raw, "")
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix(while: { $0 != " " }))
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let (rawPath, rawQuery) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].1 += " " + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let query: [(String, String)] = rawQuery.isEmpty ? [] : rawQuery.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (URIEncoding.decode(String(parts[0])), parts.count > 1 ? URIEncoding.decode(String(parts[1])) : "")
        }
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: credentials["access_key_id"] as! String,
                                        secretAccessKey: credentials["secret_access_key"] as! String,
                                        sessionToken: credentials["token"] as? String),
            region: context["region"] as! String, service: context["service"] as! String,
            normalizePath: context["normalize"] as! Bool, encodePathAgain: false)
        let request = SigV4Signer.Request(
            method: method, path: URIEncoding.encode(rawPath, keepSlash: true), query: query, headers: headers,
            payloadHash: SigV4Signer.sha256Hex(Array(body.utf8)))
        return Vector(
            signer: signer, request: request, epochSeconds: Int64(AMZDate(iso8601: context["timestamp"] as! String).map { _ in 0 } ?? 0),
            signBody: context["sign_body"] as? Bool ?? false, omitSessionToken: context["omit_session_token"] as? Bool ?? false,
            expires: context["expiration_in_seconds"] as? Int ?? 3600)
            .withTime(context["timestamp"] as! String)
    }

    static func expected(_ name: String, _ file: String) throws -> String {
        try String(contentsOfFile: root + "/" + name + "/" + file, encoding: .utf8)
    }

    @Test("the corpus is present (under CI=true its absence fails)")
    func corpusPresent() {
        guard !Self.cases.isEmpty else {
            RequiredInput.check(false, "CI=true and the SigV4 vectors are absent at \(Self.root)")
            return
        }
        #expect(Self.cases.count >= 30)
    }

    @Test("header signing", arguments: cases)
    func headerSigning(name: String) throws {
        let v = try Self.load(name)
        let result = v.signer.sign(v.request, epochSeconds: v.epochSeconds, addContentHash: v.signBody, signSessionToken: !v.omitSessionToken)
        #expect(result.canonicalRequest == (try Self.expected(name, "header-canonical-request.txt")))
        #expect(result.stringToSign == (try Self.expected(name, "header-string-to-sign.txt")))
        #expect(result.signature == (try Self.expected(name, "header-signature.txt")))
    }

    @Test("query signing", arguments: cases)
    func querySigning(name: String) throws {
        let v = try Self.load(name)
        guard FileManager.default.fileExists(atPath: Self.root + "/" + name + "/query-signature.txt") else { return }
        let result = v.signer.presign(v.request, epochSeconds: v.epochSeconds, expires: v.expires, signSessionToken: !v.omitSessionToken)
        #expect(result.canonicalRequest == (try Self.expected(name, "query-canonical-request.txt")))
        #expect(result.stringToSign == (try Self.expected(name, "query-string-to-sign.txt")))
        #expect(result.signature == (try Self.expected(name, "query-signature.txt")))
    }

    @Test("the AWS docs' signing-key example")
    func credentialsNeverPrintTheSecret() {
        let credentials = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRET-VALUE", sessionToken: "TOKEN-VALUE")
        #expect(!"\(credentials)".contains("SECRET-VALUE"))
        #expect(!"\(credentials)".contains("TOKEN-VALUE"))
        #expect(!String(reflecting: credentials).contains("SECRET-VALUE"))
    }

    @Test("dates")
    func dates() {
        #expect(AMZDate(epochSeconds: 1_440_938_160).timestamp == "20150830T123600Z")
        #expect(AMZDate(epochSeconds: 0).timestamp == "19700101T000000Z")
        #expect(AMZDate(epochSeconds: 951_782_400).day == "20000229")
        #expect(AMZDate(iso8601: "2015-08-30T12:36:00Z") == AMZDate(epochSeconds: 1_440_938_160))
    }
}

extension SigV4VectorTests.Vector {
    func withTime(_ iso: String) -> Self {
        var copy = self
        copy.epochSeconds = Self.epoch(iso)
        return copy
    }

    static func epoch(_ iso: String) -> Int64 {
        // Search the second whose AMZDate matches (the vectors all fall in 2015).
        let target = AMZDate(iso8601: iso)!
        var low: Int64 = 0
        var high: Int64 = 4_102_444_800
        while low < high {
            let mid = (low + high) / 2
            if AMZDate(epochSeconds: mid).timestamp < target.timestamp { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
