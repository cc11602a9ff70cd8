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
        return .failure(classify(result, reply: easy.responseCode))
    }

    /// SMTP reply codes decide first: 4xx means "later" (transient), 5xx means "never" for this
    /// recipient or message (permanent). Without a decisive reply, libcurl's code does: network
    /// and timeout failures are transient.
    ///
    /// A refused login (535) is permanent like any 5xx: retrying the same password cannot help,
    /// and a permanent failure reaches the operator's alarm at once instead of at the deadline.
    /// TLS failures count as connection failures (transient): a relay restarting with a
    /// half-loaded certificate recovers on its own.
    static func classify(_ code: CURLcode, reply: Int) -> OutletError {
        let curl = Int(code.rawValue)
        let text = String(cString: curl_easy_strerror(code))
        let settings = "check email.smtp, email security and the smtp-password credential"
        switch (code, reply) {
        case (CURLE_LOGIN_DENIED, _):
            return OutletError(
                code: .authenticationFailed, isRetriable: false, message: text,
                operatorHint: "the SMTP server refused the login; " + settings,
                smtpReplyCode: reply == 0 ? nil : reply, curlCode: curl)
        case (_, 500..<600):
            return OutletError(
                code: .rejected, isRetriable: false, message: "SMTP server rejected the message",
                operatorHint: "the recipient address or the message was refused; check the directory entry",
                smtpReplyCode: reply, curlCode: curl)
        case (_, 400..<500):
            return OutletError(
                code: .deferred, isRetriable: true, message: "SMTP server deferred the message",
                operatorHint: "the server asked to retry later; nothing to do unless it persists",
                smtpReplyCode: reply, curlCode: curl)
        default:
            return curlFailure(code, reply: reply, hint: settings)
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
                curlCode: curl)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN,
            CURLE_UNKNOWN_OPTION, CURLE_BAD_FUNCTION_ARGUMENT:
            return OutletError(
                code: .configuration, isRetriable: false, message: text,
                operatorHint: "the URL or an option is not usable with this libcurl; " + hint,
                curlCode: curl)
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
                smtpReplyCode: status, curlCode: curl)
        }
    }
}
