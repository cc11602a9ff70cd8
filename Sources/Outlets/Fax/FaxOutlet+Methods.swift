import Foundation

extension FaxOutlet {
    /// `mail`: the PDF's gateway mail, encoded once for every number (`prepared(_:)`).
    func sendByMail(
        _ delivery: FaxDelivery, mail: MIMEMessage.Content?, gateway: Configuration.EmailGateway
    ) async throws(OutletError) -> FaxReceipt {
        guard let email, let mail else { throw .configuration("no email outlet", hint: "check fax in mimamori.yaml") }
        let number = try gateway.numberFormat.format(delivery.number)
        let address = gateway.addressPattern.replacingOccurrences(of: "{number}", with: number)
        try await email.send(mail, to: EmailAddress(address), idempotencyKey: delivery.idempotencyKey, date: delivery.date)
        return FaxReceipt(jobID: nil)
    }

    func sendByAPI(_ delivery: FaxDelivery, pdf: Data, api: Configuration.HTTPAPI) async throws(OutletError) -> FaxReceipt {
        let hint = "check fax.url and the fax-token credential"
        guard let http else { throw .configuration("no HTTP client", hint: hint) }
        let number = try api.numberFormat.format(delivery.number)
        let request = HTTPClient.Request(
            url: api.url,
            headers: [
                "Authorization: Bearer \(api.token)", "Idempotency-Key: \(delivery.apiIdempotencyKey)",
                "Accept: application/json",
            ],
            body: .multipart([
                .init(name: api.numberField, bytes: Array(number.utf8)),
                .init(
                    name: api.fileField, bytes: [UInt8](pdf), filename: configuration.filename,
                    contentType: "application/pdf"),
            ]),
            timeouts: api.timeouts, caFile: api.caFile)
        let response = try await http.post(request, hint: hint).get()
        // Accepted but unreadable: retrying is safe because the service deduplicates on the
        // Idempotency-Key, and gives us the job id on the second try.
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let value = object[api.jobIDField],
            let jobID = (value as? String) ?? (value as? NSNumber)?.stringValue
        else {
            throw OutletError(
                code: .badResponse, isRetriable: true,
                message: "answer \(response.status) has no \(api.jobIDField) in JSON",
                operatorHint: "check fax.job-id-field against the service's documentation",
                httpStatus: response.status)
        }
        return FaxReceipt(jobID: jobID)
    }

    func sendByHylaFAX(_ delivery: FaxDelivery, pdf: Data, hylafax: Configuration.HylaFAX) async throws(OutletError) -> FaxReceipt {
        let number = try hylafax.numberFormat.format(delivery.number)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mimamori-fax-\(UUID().uuidString)")
        let file = directory.appendingPathComponent(configuration.filename)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try pdf.write(to: file)
        } catch {
            throw Subprocess.failure("sendfax", "cannot write the PDF to a temporary file")
        }
        // -n: no cover page (the notice is its own cover); -d: the number to dial.
        var argv = [hylafax.sendfax, "-n"]
        if let host = hylafax.host { argv += ["-h", host] }
        argv += ["-d", number, file.path]
        let outcome = try await Subprocess.runDetached(argv, timeout: hylafax.timeout, what: "sendfax")
        guard outcome.status == 0 else {
            throw OutletError(
                code: .subprocessFailed, isRetriable: true, message: "sendfax exited with \(outcome.status)",
                operatorHint: "run `sendfax` by hand and check `faxstat -s`; is the HylaFAX server up?")
        }
        // "request id is 123 (group id 123) for host localhost (1 file)"
        let jobID = outcome.output.firstMatch(of: /request id is (\d+)/).map { String($0.1) }
        return FaxReceipt(jobID: jobID)
    }

    /// HylaFAX's send and done queues (`faxstat -s -d`): the state and last status of each job
    /// it still lists. Nil for the other methods, which report (HTTP API) or cannot (email gateway).
    public func hylaFAXJobs() async throws(OutletError) -> [HylaFAXJobStatus]? {
        guard case .hylaFAX(let hylafax) = configuration.method else { return nil }
        var argv = [hylafax.faxstat, "-s", "-d"]
        if let host = hylafax.host { argv += ["-h", host] }
        let outcome = try await Subprocess.runDetached(argv, timeout: hylafax.timeout, what: "faxstat", keep: 1 << 20)
        guard outcome.status == 0 else {
            throw OutletError(
                code: .subprocessFailed, isRetriable: true, message: "faxstat exited with \(outcome.status)",
                operatorHint: "run `faxstat -s -d` by hand; is the HylaFAX server up?")
        }
        return HylaFAXJobStatus.parse(outcome.output)
    }
}
