/// The notice templates compiled into the program (there are no resource bundles).
///
/// Written as a town official would sign them: です・ます, the town head as sender, the department
/// as contact. Rules the texts keep, checked by tests:
/// - drill cases say 【訓練】 in every subject, title and body, and the radio says 「これは訓練です」
///   at the start and the end (the words are `drillMark(drill:)`'s: `{{mark}}`, `{{drillSpoken}}`);
/// - the termination notice never says how the case ended, only that the support has ended, with
///   thanks and the instruction to destroy the documents at once (第11条第3項);
/// - the destruction reminder and its second, 再度のお願い, hold the case reference and dates
///   only, no personal data;
/// - the radio script has the name in kana only, no residence and no frequented place (よく行く場所
///   are in the email and on the FAX only); no notice has a registration's family contacts, care
///   notes, address, phone or date of birth (the renderer is never given them);
/// - the shelter request (緊急一時保護依頼書) follows 第1号様式 and goes to the facility and the
///   staff only; the facility's destruction reminder holds the case reference and dates only
///   (`BuiltInTemplates+Shelter.swift`);
/// - the town's regulation is cited (第11条第3項, 第14条) only when settings name it
///   (`town.regulation`), so no notice cites a 要綱 that does not exist;
/// - a concern's reporter (協力団体名, 氏名, 電話番号) appears in the desk's notice only; the
///   reporter's result notice holds the result, the report reference and at most the name of the
///   person the reporter gave, never the address, the area or what was observed;
/// - the desk's notice opens with whether consent to share was given (the FAX in a box), after
///   【至急】 when the report is urgent, which its subject and title carry too.
/// Values are precomputed by `NoticeRenderer` (dates, "82歳・女性", spoken forms); absent
/// optional values are absent keys, so `{{#key}}…{{/key}}` lines disappear.
enum BuiltInTemplates {
    static let texts: [String: String] = shelterTexts.merging([
        "alert.email-subject": "{{mark}}【{{town.name}}】行方不明の方の発見にご協力ください（案件番号 {{caseRef}}）",
        "alert.email-body": drillNotice + addressee + """
            {{town.name}}{{town.department}}です。
            {{#originTown}}{{originTown}}で{{/originTown}}次の方が行方不明になり、ご家族から発見支援の依頼がありました。
            日常のお仕事や生活の範囲内で結構ですので、見守りへのご協力をお願いいたします。


            """ + emailDescription + sightings + privacyNotice + signature,

        "update.email-subject": "{{mark}}【{{town.name}}】行方不明の方の情報更新（続報）（案件番号 {{caseRef}}）",
        "update.email-body": drillNotice + addressee + """
            {{town.name}}{{town.department}}です。
            先にお知らせした行方不明の方について、情報が新しくなりましたのでお知らせします。
            以下が最新の情報です。引き続き、見守りへのご協力をお願いいたします。


            """ + emailDescription + sightings + privacyNotice + signature,

        "termination.email-subject": "{{mark}}【{{town.name}}】発見支援終結のお知らせ（案件番号 {{caseRef}}）",
        "termination.email-body": drillNotice + addressee + """
            {{town.name}}{{town.department}}です。
            {{firstNoticeDate}}にお願いしました発見支援（案件番号 {{caseRef}}）は、終了しました。
            ご協力いただき、誠にありがとうございました。

            ■ 書類の処分のお願い
            この件でお送りした情報が書かれた書類（FAX・印刷したもの）は裁断などの適切な方法で、
            メールは削除により、直ちに処分してください{{cite.article11}}。
            この件で知り得た情報は、今後も目的以外に使ったり、ほかに漏らしたりしないよう
            お願いいたします{{cite.article14}}。


            """ + signature,

        "destruction-reminder.email-subject": "{{mark}}【{{town.name}}】書類の処分のお願い（案件番号 {{caseRef}}）",
        "destruction-reminder.email-body": drillNotice + addressee + """
            {{town.name}}{{town.department}}です。
            {{terminationDate}}に終結をお知らせした発見支援（案件番号 {{caseRef}}）について、
            念のためのお願いです。

            {{documentsDates}}にお送りした情報が書かれた書類やメールが、
            お手元に残っていないかご確認ください。
            残っている場合は、書類は裁断などの適切な方法で、メールは削除により、
            直ちに処分してください{{cite.article11}}。
            {{^confirm}}すでに処分していただいている場合は、ご対応は不要です。{{/confirm}}{{#confirm}}処分が済みましたら、下のリンクから「処分しました」とお知らせください
            （すでにお知らせいただいた場合は、ご対応は不要です）。{{/confirm}}


            """ + signature,

        "destruction-second-reminder.email-subject": "{{mark}}【{{town.name}}】書類の処分について再度のお願い（案件番号 {{caseRef}}）",
        "destruction-second-reminder.email-body": drillNotice + addressee + """
            {{town.name}}{{town.department}}です。
            {{firstReminderDate}}に、発見支援（案件番号 {{caseRef}}）の書類の処分をお願いしましたが、
            処分していただいたとのご連絡を、まだいただいておりません。再度のお願いです。

            {{documentsDates}}にお送りした情報が書かれた書類やメールが、
            お手元に残っていないかご確認ください。
            残っている場合は、書類は裁断などの適切な方法で、メールは削除により、
            直ちに処分してください{{cite.article11}}。
            処分が済みましたら、「処分しました」とお知らせください。
            すでにお知らせいただいた方には、行き違いとなりましたことをお詫びいたします。


            """ + signature,

        "concern-report.email-subject":
            "{{mark}}{{#urgent}}【至急】{{/urgent}}【{{#town.network}}{{town.network}}{{/town.network}}{{^town.network}}{{town.name}}{{/town.network}}】見守りの情報提供（受付番号 {{reportRef}}）",
        "concern-report.email-body": concernDrillNotice + """
            {{desks}} ご担当者さま

            {{#urgent}}
            【至急】緊急の対応が必要との連絡です。すぐに対応をお願いします。

            {{/urgent}}
            ■ 情報提供同意有無：{{consentText}}
            {{^consent}}
            訪問などの際は、情報提供があったことの伝え方にご配慮ください。
            {{/consent}}

            {{town.name}}{{town.department}}です。
            {{#town.network}}{{town.network}}の{{/town.network}}協力団体から、見守りが必要と思われる方について情報提供がありました。
            訪問や関係機関との連携など、対応をお願いします。
            {{#severalDesks}}
            この連絡は、{{desks}}にそれぞれお送りしています。
            {{/severalDesks}}

            ■ 情報提供の内容
            受付番号：{{reportRef}}
            受付日時：{{reportedAt}}
            氏名：{{subject.name}}
            住所：{{subject.address}}
            {{#subject.area}}
            地区：{{subject.area}}
            {{/subject.area}}
            情報提供内容：{{observation}}
            緊急対応の有無：{{urgentText}}
            情報提供同意有無：{{consentText}}

            ■ 情報提供者（対象者・家族には伝えないでください）
            協力団体名：{{reporter.organization}}
            情報提供者氏名：{{reporter.name}}
            電話番号：{{reporter.phone}}
            結果の連絡方法：{{reporter.resultBy}}

            ■ 対応後のお願い
            対応の結果を、受付番号とともに{{town.department}}（電話 {{town.phone}}）へお知らせください。
            {{#reporter.byPhone}}
            この情報提供者には書面の連絡先がありません。結果は、情報提供者へ電話でお伝えください。
            {{/reporter.byPhone}}
            {{^reporter.byPhone}}
            情報提供者への結果のご報告は、お知らせいただいた結果をもとに、市から書面でお送りします。
            {{/reporter.byPhone}}

            ■ 個人情報の取り扱い
            情報提供者の情報は、対象者やその家族に確認が取れている場合を除き、対象者や家族には伝えないでください。


            """ + concernSignature,

        "concern-result.email-subject": "{{mark}}【{{town.name}}】ご連絡いただいた件の結果のご報告（受付番号 {{reportRef}}）",
        "concern-result.email-body": concernDrillNotice + """
            {{#town.network}}{{town.network}} {{/town.network}}協力団体 ご担当者さま

            {{town.name}}{{town.department}}です。
            {{reportedDate}}に{{#town.network}}{{town.network}}を通じて{{/town.network}}ご連絡いただいた{{#subjectName}}{{subjectName}}さんの{{/subjectName}}件について、
            対応の結果をご報告いたします。
            ご連絡いただき、誠にありがとうございました。

            ■ 対応の結果
            {{result}}

            受付番号：{{reportRef}}
            この件についてのお問い合わせは、{{town.department}}（電話 {{town.phone}}）へお願いします。

            この件で知り得たことは、対象の方やご家族のプライバシーに十分ご配慮いただき、ほかに漏らさないようお願いいたします。
            今後とも、日頃の業務の中での見守りにご協力をお願いいたします。


            """ + concernSignature,

        "concern-report.fax": """
        # {{mark}}{{#urgent}}【至急】{{/urgent}}見守りの情報提供
        {{#drill}}
        ! {{drillBanner}}
        {{mark}}これは訓練のための連絡です。実際の情報提供ではありません。

        {{/drill}}
        {{desks}} ご担当者さま
        {{town.name}}{{town.department}}です。{{#town.network}}{{town.network}}の{{/town.network}}協力団体から、見守りが必要と思われる方について情報提供がありました。訪問や関係機関との連携など、対応をお願いします。{{#severalDesks}}この連絡は、{{desks}}にそれぞれお送りしています。{{/severalDesks}}

        {{#urgent}}
        > 【至急】緊急の対応が必要との連絡です。すぐに対応をお願いします。
        {{/urgent}}
        > 情報提供同意有無：{{consentText}}
        {{^consent}}
        > 訪問などの際は、情報提供があったことの伝え方にご配慮ください。
        {{/consent}}

        | 受付番号 | {{reportRef}}
        | 受付日時 | {{reportedAt}}
        | 氏名 | {{subject.name}}
        | 住所 | {{subject.address}}
        {{#subject.area}}
        | 地区 | {{subject.area}}
        {{/subject.area}}
        | 情報提供内容 | {{observation}}
        | 緊急対応の有無 | {{urgentText}}
        | 情報提供同意有無 | {{consentText}}
        | 協力団体名 | {{reporter.organization}}
        | 情報提供者氏名 | {{reporter.name}}
        | 電話番号 | {{reporter.phone}}
        | 結果の連絡方法 | {{reporter.resultBy}}

        情報提供者の情報は、対象者やその家族に確認が取れている場合を除き、対象者や家族には伝えないでください。
        対応の結果を、受付番号とともに{{town.department}}（電話 {{town.phone}}）へお知らせください。{{#reporter.byPhone}}この情報提供者には書面の連絡先がないため、結果は電話でお伝えください。{{/reporter.byPhone}}{{^reporter.byPhone}}情報提供者への結果のご報告は、市から書面でお送りします。{{/reporter.byPhone}}


        """ + concernFaxSignature,

        "concern-result.fax": """
        # {{mark}}ご連絡いただいた件の結果のご報告
        {{#drill}}
        ! {{drillBanner}}
        {{mark}}これは訓練のための連絡です。

        {{/drill}}
        {{#town.network}}{{town.network}} {{/town.network}}協力団体 ご担当者さま
        {{town.name}}{{town.department}}です。{{reportedDate}}に{{#town.network}}{{town.network}}を通じて{{/town.network}}ご連絡いただいた件について、対応の結果をご報告いたします。
        ご連絡いただき、誠にありがとうございました。

        | 受付番号 | {{reportRef}}
        {{#subjectName}}
        | 対象の方 | {{subjectName}}さん
        {{/subjectName}}
        | 対応の結果 | {{result}}
        | お問い合わせ | {{town.name}} {{town.department}}（電話 {{town.phone}}）

        この件で知り得たことは、対象の方やご家族のプライバシーに十分ご配慮いただき、ほかに漏らさないようお願いいたします。
        今後とも、日頃の業務の中での見守りにご協力をお願いいたします。


        """ + concernFaxSignature,

        "alert.fax": """
        # {{mark}}行方不明の方の発見支援のお願い
        {{#drill}}
        ! {{drillBanner}}
        {{mark}}これは訓練のための連絡です。実際の行方不明の方の情報ではありません。

        {{/drill}}
        {{#town.network}}{{town.network}} {{/town.network}}協力機関の皆さま
        {{town.name}}{{town.department}}です。{{#originTown}}{{originTown}}で{{/originTown}}次の方が行方不明になり、ご家族から発見支援の依頼がありました。
        日常の業務の範囲内で結構ですので、見守りへのご協力をお願いいたします。

        """ + faxDescription + faxClosing,

        "update.fax": """
        # {{mark}}行方不明の方の情報更新（続報）
        {{#drill}}
        ! {{drillBanner}}
        {{mark}}これは訓練のための連絡です。実際の行方不明の方の情報ではありません。

        {{/drill}}
        {{#town.network}}{{town.network}} {{/town.network}}協力機関の皆さま
        {{town.name}}{{town.department}}です。先にお知らせした行方不明の方について、情報が新しくなりました。
        以下が最新の情報です。引き続き、見守りへのご協力をお願いいたします。

        """ + faxDescription + faxClosing,

        "termination.fax": """
        # {{mark}}発見支援終結のお知らせ
        {{#drill}}
        ! {{drillBanner}}
        {{mark}}これは訓練のための連絡です。

        {{/drill}}
        {{#town.network}}{{town.network}} {{/town.network}}協力機関の皆さま
        {{firstNoticeDate}}にお願いしました発見支援は、終了しました。
        ご協力いただき、誠にありがとうございました。

        | 案件番号 | {{caseRef}}
        | 発見支援の依頼日 | {{firstNoticeDate}}

        この件でお送りした情報が書かれた書類は、裁断などの適切な方法で直ちに処分してください{{cite.article11}}。
        この件で知り得た情報は、今後も目的以外に使ったり、ほかに漏らしたりしないようお願いいたします{{cite.article14}}。


        """ + faxSignature,

        "destruction-reminder.fax": """
        # {{mark}}書類の処分のお願い
        {{#drill}}
        ! {{drillBanner}}
        {{mark}}これは訓練のための連絡です。

        {{/drill}}
        {{#town.network}}{{town.network}} {{/town.network}}協力機関の皆さま
        {{terminationDate}}に終結をお知らせした発見支援について、念のためのお願いです。

        | 案件番号 | {{caseRef}}
        | 処分していただく書類 | {{documentsDates}}にお送りしたFAX
        | 終結のお知らせ | {{terminationDate}}

        上の書類がお手元に残っている場合は、裁断などの適切な方法で直ちに処分してください{{cite.article11}}。
        {{^confirm}}すでに処分していただいている場合は、ご対応は不要です。{{/confirm}}{{#confirm}}処分が済みましたら、下の枠の「処分しました」でお知らせください（すでにお知らせいただいた場合は、ご対応は不要です）。{{/confirm}}


        """ + faxSignature,

        "destruction-second-reminder.fax": """
        # {{mark}}書類の処分について再度のお願い
        {{#drill}}
        ! {{drillBanner}}
        {{mark}}これは訓練のための連絡です。

        {{/drill}}
        {{#town.network}}{{town.network}} {{/town.network}}協力機関の皆さま
        {{firstReminderDate}}に書類の処分をお願いしましたが、処分していただいたとのご連絡を、まだいただいておりません。再度のお願いです。

        | 案件番号 | {{caseRef}}
        | 処分していただく書類 | {{documentsDates}}にお送りしたFAX
        | 終結のお知らせ | {{terminationDate}}
        | 一回目のお願い | {{firstReminderDate}}

        上の書類がお手元に残っている場合は、裁断などの適切な方法で直ちに処分してください{{cite.article11}}。
        処分が済みましたら、「処分しました」とお知らせください。すでにお知らせいただいた方には、行き違いとなりましたことをお詫びいたします。


        """ + faxSignature,

        "alert.radio": radioDrillStart + """
            こちらは、{{town.name}}役場です。
            行方不明の方の、お知らせです。
            {{lastSeen.whenSpoken}}、{{lastSeen.place}}で見かけられたのを最後に、{{person.kana}}さん、{{person.age}}歳の{{person.sexSpoken}}が、行方不明になっています。

            """ + radioDescription + radioDrillEnd,

        "update.radio": radioDrillStart + """
            こちらは、{{town.name}}役場です。
            先ほどお知らせした、行方不明の方の、続報です。
            {{person.kana}}さん、{{person.age}}歳の{{person.sexSpoken}}は、{{lastSeen.whenSpoken}}、{{lastSeen.place}}で見かけられたのが最後です。

            """ + radioDescription + radioDrillEnd,

        "termination.radio": radioDrillStart + """
            こちらは、{{town.name}}役場です。
            {{firstNoticeDateSpoken}}にお願いしました、行方不明の方の発見へのご協力は、終了しました。
            皆さまのご協力、ありがとうございました。

            """ + radioDrillEnd,
    ]) { shelter, _ in shelter }

    static let drillNotice = """
        {{#drill}}
        {{mark}}これは訓練のための連絡です。実際の行方不明の方の情報ではありません。

        {{/drill}}

        """

    static let concernDrillNotice = """
        {{#drill}}
        {{mark}}これは訓練のための連絡です。実際の情報提供ではありません。

        {{/drill}}

        """

    /// The sender of a concern's notices: the town, with the report's reference (受付番号).
    static let concernSignature = """
        {{mark}}受付番号 {{reportRef}}（{{sentAt}} 発信）

        {{town.name}} {{town.department}}　電話 {{town.phone}}

        """

    static let concernFaxSignature = """
        {{mark}}受付番号 {{reportRef}}　{{sentAt}} 発信
        {{town.name}} {{town.department}}　電話 {{town.phone}}

        """

    static let addressee = """
        {{#town.network}}{{town.network}} {{/town.network}}協力機関・協力者の皆さま


        """

    static let emailDescription = """
        ■ 行方不明の方
        　氏名　　　　{{person.name}}（{{person.kana}}）さん
        　年齢・性別　{{person.ageSex}}
        {{#person.heightBuild}}
        　身長・体格　{{person.heightBuild}}
        {{/person.heightBuild}}
        {{#person.hair}}
        　髪　　　　　{{person.hair}}
        {{/person.hair}}
        {{#person.features}}
        　特徴　　　　{{person.features}}
        {{/person.features}}
        {{#person.residenceArea}}
        　お住まい　　{{person.residenceArea}}
        {{/person.residenceArea}}
        {{#frequentedPlaces}}
        　よく行く場所　{{frequentedPlaces}}
        {{/frequentedPlaces}}
        {{#clothing}}
        　服装　　　　{{clothing}}
        {{/clothing}}
        {{#belongings}}
        　持ち物　　　{{belongings}}
        {{/belongings}}

        ■ 最後に見かけられた日時・場所
        　日時　　　　{{lastSeen.when}}
        　場所　　　　{{lastSeen.place}}
        {{#lastSeen.direction}}
        　向かった方向　{{lastSeen.direction}}
        {{/lastSeen.direction}}

        ■ 写真
        {{#photoAttached}}
        ご家族の同意を得て、ご本人の写真を添付しています。
        {{/photoAttached}}
        {{^photoAttached}}
        {{#photoLeftOut}}
        ご本人の写真は、データに不備があるため添付していません。
        {{/photoLeftOut}}
        {{^photoLeftOut}}
        写真の添付はありません。
        {{/photoLeftOut}}
        {{/photoAttached}}


        """

    static let sightings = """
        ■ 見かけた方へ
        {{contact.organization}}（電話 {{contact.phone}}）へ直接ご連絡ください。
        {{town.kind}}ではなく、警察へのご連絡をお願いします。
        声をかけるときは、驚かせないよう前からゆっくり近づき、やさしく話しかけてください。
        できれば2人で、1人がそばに付き添い、もう1人が少し離れたところから警察へ連絡してください。


        """

    static let privacyNotice = """
        ■ 個人情報の取り扱い
        この情報は発見支援の目的にのみ使い、ほかに漏らさないでください{{cite.article14}}。
        発見支援の終結をお知らせしたときは、この情報が書かれた書類は裁断などで、
        メールは削除により、直ちに処分してください{{cite.article11}}。


        """

    static let signature = """
        {{mark}}案件番号 {{caseRef}}（{{sentAt}} 発信）

        {{town.head}}
        （担当）{{town.name}} {{town.department}}　電話 {{town.phone}}

        """

    static let faxDescription = """
        | 氏名 | {{person.name}}（{{person.kana}}）
        | 年齢・性別 | {{person.ageSex}}
        {{#person.heightBuild}}
        | 身長・体格 | {{person.heightBuild}}
        {{/person.heightBuild}}
        {{#person.hair}}
        | 髪 | {{person.hair}}
        {{/person.hair}}
        {{#person.features}}
        | 特徴 | {{person.features}}
        {{/person.features}}
        {{#person.residenceArea}}
        | お住まい | {{person.residenceArea}}
        {{/person.residenceArea}}
        {{#frequentedPlaces}}
        | よく行く場所 | {{frequentedPlaces}}
        {{/frequentedPlaces}}
        {{#clothing}}
        | 服装 | {{clothing}}
        {{/clothing}}
        {{#belongings}}
        | 持ち物 | {{belongings}}
        {{/belongings}}
        | 最後に見かけた日時 | {{lastSeen.when}}
        | 最後に見かけた場所 | {{lastSeen.place}}
        {{#lastSeen.direction}}
        | 向かった方向 | {{lastSeen.direction}}
        {{/lastSeen.direction}}

        """

    static let faxClosing = """
        > 見かけた方は、{{town.kind}}ではなく、警察へ直接ご連絡ください。
        > {{contact.organization}}　電話 {{contact.phone}}

        {{#photoAttached}}
        ご家族の同意を得て、ご本人の写真を載せています。

        {{/photoAttached}}
        {{#photoLeftOut}}
        （ご本人の写真は、データに不備があるため掲載していません。）

        {{/photoLeftOut}}
        この書類は発見支援の目的にのみ使い、ほかに漏らさないでください{{cite.article14}}。
        発見支援の終結の連絡を受けたら、この書類は直ちに裁断などの方法で処分してください{{cite.article11}}。


        """ + faxSignature

    static let faxSignature = """
        {{mark}}案件番号 {{caseRef}}　{{sentAt}} 発信
        {{town.head}}（担当 {{town.name}} {{town.department}}　電話 {{town.phone}}）

        """

    static let radioDrillStart = """
        {{#drill}}
        {{drillSpoken}}
        {{/drill}}

        """

    static let radioDrillEnd = """
        {{#drill}}
        {{drillSpoken}}
        {{/drill}}

        """

    static let radioDescription = """
        {{#person.descriptionSpoken}}
        {{person.descriptionSpoken}}
        {{/person.descriptionSpoken}}
        {{#clothingSpoken}}
        {{clothingSpoken}}
        {{/clothingSpoken}}
        お心当たりの方は、{{contact.organization}}、電話、{{contact.phoneSpoken}}まで、ご連絡ください。
        ご協力を、お願いします。

        """
}
