import Foundation
import MimamoriCore

/// The deliveries of a large plan that its event's transaction did not write, kept in that
/// same transaction as compact chunks and written chunk by chunk afterwards
/// (`IntakeStore.completePlans`), so that the dispatcher starts on the first chunk while the
/// rest go in. The plan is kept as planned, not planned again: a restart completes it from these
/// bytes, whatever the cooperator directory says by then.
///
/// The bytes are personal data (the addresses); the rows go as soon as they are written, and
/// with the purge.
enum PlanRemainder {
    /// Deliveries per kept chunk, and so per later transaction: small enough that the claims and
    /// outcomes queued behind one wait only briefly.
    static let chunk = 1024

    static let version: UInt8 = 1

    /// The remainder of `deliveries` past the first `firstCommit`, as chunks to keep; empty when
    /// the first transaction writes them all.
    static func chunks(of deliveries: [Intake.Delivery], firstCommit: Int?) -> [Data] {
        guard let firstCommit, deliveries.count > firstCommit else { return [] }
        return stride(from: firstCommit, to: deliveries.count, by: chunk).map {
            encode(deliveries[$0..<min($0 + chunk, deliveries.count)])
        }
    }

    static func encode(_ deliveries: ArraySlice<Intake.Delivery>) -> Data {
        var bytes: [UInt8] = [version]
        bytes.reserveCapacity(deliveries.count * 160)
        append(UInt32(deliveries.count), to: &bytes)
        for delivery in deliveries {
            let p = delivery.planned
            append(p.caseID.rawValue, to: &bytes)
            append(UInt64(bitPattern: Int64(p.revision)), to: &bytes)
            append(p.recipient.rawValue, to: &bytes)
            append(delivery.address, to: &bytes)
            append(p.channel.rawValue, to: &bytes)
            append(p.kind.rawValue, to: &bytes)
            append(UInt64(bitPattern: p.notBefore.ledgerMillis), to: &bytes)
            append(UInt64(bitPattern: delivery.deadline.ledgerMillis), to: &bytes)
            append(p.idempotencyKey, to: &bytes)
            if let code = delivery.confirmation {
                bytes.append(1)
                append(code.rawValue, to: &bytes)
            } else {
                bytes.append(0)
            }
        }
        return Data(bytes)
    }

    /// The chunk's deliveries, in the order they were planned.
    static func decode(_ data: Data) throws(LedgerError) -> [Intake.Delivery] {
        var reader = Reader(bytes: [UInt8](data))
        guard reader.byte() == version, let count = reader.integer(UInt32.self) else { throw damaged }
        var deliveries: [Intake.Delivery] = []
        deliveries.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let caseID = reader.text(), let revision = reader.integer(UInt64.self), let recipient = reader.text(),
                let address = reader.text(), let channel = reader.text().flatMap(Channel.init(rawValue:)),
                let kind = reader.text().flatMap(NoticeKind.init(rawValue:)), let notBefore = reader.integer(UInt64.self),
                let deadline = reader.integer(UInt64.self), let key = reader.text(), let hasCode = reader.byte()
            else { throw damaged }
            var confirmation: ConfirmationCode?
            if hasCode == 1 {
                guard let code = reader.text().flatMap(ConfirmationCode.init(rawValue:)) else { throw damaged }
                confirmation = code
            }
            let planned = PlannedDelivery(
                caseID: CaseID(caseID), revision: Int(Int64(bitPattern: revision)), recipient: RecipientID(recipient),
                channel: channel, kind: kind, notBefore: Date(ledgerMillis: Int64(bitPattern: notBefore)), idempotencyKey: key)
            deliveries.append(
                Intake.Delivery(
                    planned, address: address, deadline: Date(ledgerMillis: Int64(bitPattern: deadline)), confirmation: confirmation))
        }
        guard reader.atEnd else { throw damaged }
        return deliveries
    }

    /// A plan whose idempotency keys repeat is refused whole, before anything is written, as its
    /// one transaction refuses it when it is written at once: kept, a repeat across two chunks
    /// would be found only after the first was committed.
    static func checkUniqueKeys(_ deliveries: [Intake.Delivery]) throws(LedgerError) {
        var keys = Set<String>(minimumCapacity: deliveries.count)
        for delivery in deliveries where !keys.insert(delivery.planned.idempotencyKey).inserted {
            throw LedgerError(
                code: .constraint, isRetriable: false, operatorHint: "report this as a bug",
                message: "the plan repeats an idempotency key")
        }
    }

    static let damaged = LedgerError(
        code: .corrupt, isRetriable: false,
        operatorHint: "the ledger's kept plan is damaged: restore the ledger from backup and keep the damaged one for analysis",
        message: "a kept plan chunk cannot be read")

    private static func append<I: FixedWidthInteger>(_ value: I, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            append(UInt32(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        var atEnd: Bool { at == bytes.count }

        mutating func byte() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func integer<I: FixedWidthInteger>(_: I.Type) -> I? {
            let size = MemoryLayout<I>.size
            guard bytes.count - at >= size else { return nil }
            var value: I = 0
            for offset in (0..<size).reversed() { value = value << 8 | I(bytes[at + offset]) }
            at += size
            return value
        }

        mutating func text() -> String? {
            guard let length = integer(UInt32.self).map(Int.init), bytes.count - at >= length else { return nil }
            defer { at += length }
            return String(decoding: bytes[at..<at + length], as: UTF8.self)
        }
    }
}
