// The libFuzzer target for `CaseEvent.decode`, built by `make fuzz` (scripts/fuzz.sh)
// with `swiftc -sanitize=fuzzer,address` from this folder and the decoder's own source files,
// compiled as one module; then MIMAMORI_LIBFUZZER is defined and libFuzzer supplies `main`.
// The package builds the same file as a plain executable that replays inputs (`Replay.swift`).
import Foundation

#if !MIMAMORI_LIBFUZZER
    import MimamoriCore
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func decodeEventTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    DecodeEventOracle.check(body)
    #if MIMAMORI_LIBFUZZER
        JSONDifferential.check(body)
    #endif
    return 0
}

#if MIMAMORI_LIBFUZZER
    /// The hand-written parser must accept nothing that Foundation's JSONSerialization refuses, for
    /// inputs inside the limits only ours has (nesting, duplicate keys, the byte order mark). The
    /// other direction is not checked: JSONSerialization is lenient (it takes `{"a":1,}`).
    /// Only in the libFuzzer build: `JSONValue` is internal to the core.
    enum JSONDifferential {
        static func check(_ body: [UInt8]) {
            guard String(validating: body, as: UTF8.self) != nil, !body.starts(with: [0xEF, 0xBB, 0xBF]) else { return }
            let ours = JSONValue.parse(body, maxDepth: 32)
            if case .failure(let error) = ours, error != .invalid { return }
            let theirs = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
            if case .success = ours, theirs == nil { fatalError("JSON differential: ours accepts what JSONSerialization refuses") }
        }
    }
#endif

/// What must hold for every input, beyond "does not crash or hang": an accepted event obeys the
/// schema's bounds; a refused one has a short, machine-readable reason. A violation traps, which
/// libFuzzer reports as a crash with the input saved.
enum DecodeEventOracle {
    static let limits = CaseEvent.Limits.default

    static func check(_ body: [UInt8]) {
        let event: CaseEvent
        do {
            event = try CaseEvent.decode(body, limits: limits)
        } catch {
            let reason = error.reason
            require(!reason.isEmpty && reason.utf8.count <= 120, "reason empty or long")
            require(reason.utf8.allSatisfy { (0x21...0x7E).contains($0) }, "reason not printable ASCII")
            return
        }
        require(body.count <= limits.maxBodyBytes, "oversized body accepted")
        require(CaseID.isValid(event.caseID.rawValue), "bad case id accepted")
        require(event.sequence >= 1, "sequence below 1 accepted")
        require((event.kind == .closed) == (event.closure != nil), "closure and kind disagree")
        if event.kind != .closed {
            require(event.person != nil && event.lastSeen != nil && event.contact != nil, "description missing")
        }
        var texts = event.clothing + event.belongings + [event.municipality]
        if let p = event.person {
            require((0...130).contains(p.age), "age out of range accepted")
            require(p.heightCm.map { (50...250).contains($0) } ?? true, "height out of range accepted")
            texts += [p.name, p.nameKana] + p.features + [p.build, p.hair, p.residenceArea, p.registrationID].compactMap { $0 }
        }
        if let s = event.lastSeen { texts += [s.place] + [s.direction, s.area].compactMap { $0 } }
        if let c = event.contact { texts += [c.organization, c.phone] }
        for text in texts {
            require(!text.isEmpty && text.count <= limits.maxLongText, "text empty or too long accepted")
            require(!text.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control character accepted")
        }
        require(
            event.clothing.count <= limits.maxArrayElements && event.belongings.count <= limits.maxArrayElements,
            "too many elements accepted")
        require((event.photo?.data.count ?? 0) <= limits.maxPhotoBytes, "photo too large accepted")
    }

    static func require(_ condition: Bool, _ message: StaticString) {
        if !condition { fatalError("decode oracle: \(message)") }
    }
}
