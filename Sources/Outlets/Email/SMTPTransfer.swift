import CCurl

/// One SMTP transaction (MAIL FROM, RCPT TO, DATA) on a session thread's easy handle.
enum SMTPTransfer {
    static func perform(
        _ easy: CurlEasy, configuration: EmailOutlet.Configuration,
        from: String, to: String, bytes: [UInt8]
    ) -> Result<Void, OutletError> {
        easy.applyCommon(configuration.timeouts)
        easy.set(CURLOPT_URL, configuration.url)
        switch configuration.security {
        case .none: break
        case .startTLS: easy.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        case .implicitTLS: easy.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        }
        if let caFile = configuration.caFile { easy.set(CURLOPT_CAINFO, caFile) }
        if let credentials = configuration.credentials {
            easy.set(CURLOPT_USERNAME, credentials.username)
            easy.set(CURLOPT_PASSWORD, credentials.password)
        }
        easy.set(CURLOPT_MAIL_FROM, "<\(from)>")
        let recipients = CurlStringList(["<\(to)>"])
        easy.set(CURLOPT_MAIL_RCPT, list: recipients)
        easy.set(CURLOPT_UPLOAD, true)
        let source = UploadSource(bytes)
        easy.setUpload(source)
        easy.set(CURLOPT_INFILESIZE_LARGE, large: Int64(bytes.count))

        let result = withExtendedLifetime((source, recipients)) { easy.perform() }
        if result == CURLE_OK { return .success(()) }
        return .failure(
            classify(result, reply: easy.responseCode, errorText: easy.errorText, uploaded: easy.uploadedBytes > 0))
    }

    /// Which SMTP step failed and its reply code, read from libcurl's error text (7.88's
    /// `lib/smtp.c`): "Got unexpected smtp-server response: 554" (greeting), "Remote access
    /// denied: 550" (EHLO/HELO), "STARTTLS denied, code 454" / "STARTTLS not supported.",
    /// "MAIL failed: 530", "RCPT failed: 550", "DATA failed: 554". Only the stage and the number
    /// are taken: the text may quote the server, and servers echo addresses.
    static func stage(in errorText: String) -> (stage: OutletError.SMTPStage, reply: Int?)? {
        let prefixes: [(String, OutletError.SMTPStage)] = [
            ("Got unexpected smtp-server response:", .greeting), ("Remote access denied:", .hello),
            ("STARTTLS denied", .startTLS), ("STARTTLS not supported", .startTLS),
            ("Authentication failed:", .auth), ("No known authentication mechanisms", .auth),
            ("MAIL failed:", .mailFrom), ("RCPT failed:", .rcptTo), ("DATA failed:", .data),
        ]
        for (prefix, stage) in prefixes where errorText.hasPrefix(prefix) {
            let digits = errorText.dropFirst(prefix.count).drop { !$0.isNumber }.prefix { $0.isNumber }
            return (stage, Int(digits))
        }
        return nil
    }

    /// Who a failed transaction concerns, from the SMTP step that failed and its reply:
    ///
    /// - RCPT TO: this recipient. 5xx permanent, 4xx transient (as the server says).
    /// - end of DATA (libcurl reports a reply other than 250 after the upload as a weird reply):
    ///   552/554 judge the message: permanent for every recipient of the same notice; another 5xx
    ///   there concerns this recipient; 4xx is transient.
    /// - greeting, EHLO, STARTTLS, AUTH, MAIL FROM, DATA, and 421 anywhere: the channel. Every
    ///   delivery would get the same answer (a rotated password, a relay that now requires AUTH,
    ///   a refused sender), so it is retriable and the dispatcher pauses the channel rather than
    ///   failing every recipient.
    /// - no decisive reply: libcurl's code decides (network and TLS failures are channel faults,
    ///   timeouts stay with the delivery).
    static func classify(_ code: CURLcode, reply: Int, errorText: String, uploaded: Bool) -> OutletError {
        let curl = Int(code.rawValue)
        let settings = "check email.smtp, email security and the smtp-password credential"
        var stage = Self.stage(in: errorText)
        if stage == nil, code == CURLE_LOGIN_DENIED {
            stage = (.auth, nil)
        } else if stage == nil, code == CURLE_WEIRD_SERVER_REPLY, uploaded, (400..<600).contains(reply) {
            stage = (.endOfData, nil)
        }
        guard let (step, parsed) = stage else { return curlFailure(code, reply: reply, hint: settings) }
        let replyCode = parsed ?? (reply == 0 ? nil : reply)
        let permanent = (replyCode ?? 0) >= 500
        func channel(_ errorCode: OutletError.Code, _ message: String, _ hint: String) -> OutletError {
            OutletError(
                code: errorCode, isRetriable: true, message: message, operatorHint: hint, smtpReplyCode: replyCode,
                curlCode: curl, scope: .channel, smtpStage: step)
        }
        if replyCode == 421 {
            return channel(
                .deferred, "SMTP server closed the session (421)", "the relay is shutting down or overloaded; sending resumes by itself")
        }
        /// A refusal of this recipient (5xx: for good) or a "later" (4xx).
        func recipient(_ refused: String, _ hint: String) -> OutletError {
            permanent
                ? OutletError(
                    code: .rejected, isRetriable: false, message: refused, operatorHint: hint,
                    smtpReplyCode: replyCode, curlCode: curl, scope: .recipient, smtpStage: step)
                : OutletError(
                    code: .deferred, isRetriable: true, message: "SMTP server deferred the \(step == .rcptTo ? "recipient" : "message")",
                    operatorHint: "the server asked to retry later; nothing to do unless it persists",
                    smtpReplyCode: replyCode, curlCode: curl, scope: .recipient, smtpStage: step)
        }
        switch step {
        case .rcptTo:
            return recipient("SMTP server refused the recipient", "the recipient address was refused; check the directory entry")
        case .endOfData where replyCode == 552 || replyCode == 554:
            // 552 (too large) and 554 (refused content) judge the message, which every
            // recipient of the notice shares.
            return OutletError(
                code: .rejected, isRetriable: false, message: "SMTP server refused the message at the end of DATA",
                operatorHint: "the relay refused the notice itself (size, content filter); check the relay's log and email.smtp",
                smtpReplyCode: replyCode, curlCode: curl, scope: .message, smtpStage: step)
        case .endOfData:
            // Another 5xx after the upload (550 mailbox unavailable from a relay that checks
            // recipients late) is about this recipient; 4xx asks to come back later.
            return recipient(
                "SMTP server refused the recipient at the end of DATA",
                "the relay refused this recipient after the message; check the directory entry")
        case .auth:
            return channel(
                .authenticationFailed, "SMTP server refused the login",
                "the relay refused the login; check the smtp-password credential and the user in email.smtp")
        case .startTLS:
            return channel(.tlsFailed, "SMTP server refused STARTTLS", "the relay does not offer STARTTLS; " + settings)
        case .mailFrom:
            return channel(
                permanent ? .rejected : .deferred, "SMTP server refused the sender",
                "the relay refused MAIL FROM (AUTH required, or the sender in email.from not allowed); check the smtp-password credential and email.smtp / email.from"
            )
        case .greeting, .hello, .data:
            return channel(
                permanent ? .rejected : .deferred, "SMTP server refused the session",
                "the relay refused us at \(step.rawValue); " + settings)
        }
    }

    /// Maps a libcurl failure that carries no decisive protocol status.
    static func curlFailure(_ code: CURLcode, reply: Int, hint: String) -> OutletError {
        let curl = Int(code.rawValue)
        let text = String(cString: curl_easy_strerror(code))
        let status = reply == 0 ? nil : reply
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return OutletError(
                code: .timedOut, isRetriable: true, message: text,
                operatorHint: "the server did not answer in time; " + hint, curlCode: curl)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_USE_SSL_FAILED,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return OutletError(
                code: .tlsFailed, isRetriable: true, message: text,
                operatorHint: "TLS failed (certificate, CA file or STARTTLS support); " + hint,
                curlCode: curl, scope: .channel)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN,
            CURLE_UNKNOWN_OPTION, CURLE_BAD_FUNCTION_ARGUMENT:
            return OutletError(
                code: .configuration, isRetriable: true, message: text,
                operatorHint: "the URL or an option is not usable with this libcurl; " + hint,
                curlCode: curl, scope: .channel)
        case CURLE_WEIRD_SERVER_REPLY:
            return OutletError(
                code: .badResponse, isRetriable: true, message: text,
                operatorHint: "the server's answer was not understood; " + hint,
                curlCode: curl)
        default:
            // Refused, reset, DNS, a dropped connection: the network may recover.
            return OutletError(
                code: .connectionFailed, isRetriable: true, message: text,
                operatorHint: "could not talk to the server; " + hint,
                smtpReplyCode: status, curlCode: curl, scope: .channel)
        }
    }
}
