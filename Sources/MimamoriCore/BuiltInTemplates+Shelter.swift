extension BuiltInTemplates {
    /// The notices of an emergency temporary stay (緊急一時保護). The request follows 第1号様式
    /// (the seed names its items and its sentence: 第　号, 〇〇 様, 紀美野町長, 「次の者について、
    /// 緊急一時保護を委託します。」, 記, 対象者, 連絡先, 委託期間, 委託理由, 委託料, その他) with what the
    /// facility needs besides (性別, 年齢, 保護した機関, 介護の情報); the FAX lines `=> ` stand to the
    /// right and `== ` in the middle, as on the paper form. Its email part is the staff's copy.
    /// The facility's destruction reminder holds the case reference, the request numbers and
    /// the dates only.
    static let shelterTexts: [String: String] = [
        "shelter-request.fax": """
        # {{mark}}緊急一時保護依頼書{{#amended}}（変更）{{/amended}}
        {{#drill}}
        ! {{drillBanner}}
        {{/drill}}
        => 第 {{number}} 号
        => {{issuedDate}}

        {{facility.name}} 様

        => {{town.head}}

        {{^amended}}
        次の者について、緊急一時保護を委託します。
        {{/amended}}
        {{#amended}}
        先にお願いした次の者の緊急一時保護について、委託期間を次のとおり変更します。
        {{/amended}}

        == 記

        """ + shelterRows + """

            この依頼書は個人情報です。緊急一時保護の目的にのみ使い、ほかに漏らさないでください。処分は、利用の終了後に町からお願いします。

            """,

        "shelter-request.email-subject":
            "{{mark}}【{{town.name}}】緊急一時保護依頼書{{#amended}}（変更）{{/amended}}の控え {{facility.name}}（案件番号 {{caseRef}}）",
        "shelter-request.email-body": """
        {{#drill}}
        {{mark}}これは訓練のための依頼書の控えです。

        {{/drill}}
        {{town.name}} {{town.department}} ご担当者さま

        次の緊急一時保護依頼書{{#amended}}（変更）{{/amended}}を、{{facility.name}}（FAX {{facility.fax}}、電話 {{facility.phone}}）へ FAX で送ります。その控えです。
        送信の状況: mimamori report {{caseRef}}

        利用期間の最終日（{{lastDay}}）の朝に、改めてお知らせします。
        延長するとき（合計7日まで。2日を超える期間は町長の承認が必要です）:
        　sudo -u mimamori mimamori shelter extend {{caseRef}} --days 延長する日数 --approved-by 承認者の氏名
        利用が終わったとき（施設へ依頼書の処分のお願いを送ります）:
        　sudo -u mimamori mimamori shelter end {{caseRef}}

        ■ 緊急一時保護依頼書{{#amended}}（変更）{{/amended}}　第 {{number}} 号　{{issuedDate}}
        　宛先　　　　　{{facility.name}} 様
        　ふりがな　　　{{kana}}
        　氏名　　　　　{{name}}
        　性別　　　　　{{sex}}
        　生年月日　　　{{birth}}
        　電話　　　　　{{phone}}
        　住所　　　　　{{address}}
        　連絡先　　　　{{contacts}}
        　保護した機関　{{protectedBy}}
        　委託期間　　　{{period}}
        　委託理由　　　徘徊により一時保護が必要となったため
        　委託料　　　　徘徊に係る緊急一時保護の取り扱いについて第6条の規定による
        　介護の情報　　{{care}}
        {{#approvalNote}}
        　その他　　　　{{approvalNote}}
        {{/approvalNote}}

        ■ 個人情報の取り扱い
        この控えには、ご本人の個人情報が書かれています。利用が終わり、手続きが済んだら削除してください。


        """ + signature,

        "shelter-destruction.fax": """
        # {{mark}}緊急一時保護依頼書の処分のお願い
        {{#drill}}
        ! {{drillBanner}}
        {{mark}}これは訓練のための連絡です。

        {{/drill}}
        {{facility.name}} 様
        {{town.name}}{{town.department}}です。お願いしておりました緊急一時保護は、{{endedDate}}に利用が終わりました。
        ご協力いただき、誠にありがとうございました。

        | 案件番号 | {{caseRef}}
        | 処分していただく書類 | 緊急一時保護依頼書（FAX）{{numbers}}
        | 委託期間 | {{period}}
        | 利用の終了 | {{endedDate}}

        委託料のご請求など、必要な手続きがお済みになりましたら、上の書類は裁断などの適切な方法で処分してください。
        すでに処分していただいている場合は、ご対応は不要です。


        """ + faxSignature,

        "shelter-destruction.email-subject": "{{mark}}【{{town.name}}】緊急一時保護依頼書の処分のお願い（案件番号 {{caseRef}}）",
        "shelter-destruction.email-body": """
        {{#drill}}
        {{mark}}これは訓練のための連絡です。

        {{/drill}}
        {{facility.name}} ご担当者さま

        {{town.name}}{{town.department}}です。お願いしておりました緊急一時保護は、{{endedDate}}に利用が終わりました。
        ご協力いただき、誠にありがとうございました。

        処分していただく書類: 緊急一時保護依頼書（FAX）{{numbers}}
        委託期間: {{period}}

        委託料のご請求など、必要な手続きがお済みになりましたら、上の書類は裁断などの適切な方法で処分してください。
        すでに処分していただいている場合は、ご対応は不要です。


        """ + signature,
    ]

    /// 第1号様式's rows, in its order (対象者, 連絡先, 委託期間, 委託理由, 委託料, その他), with 性別,
    /// 保護した機関 and 介護の情報 where a care provider looks for them.
    static let shelterRows = """
        | ふりがな | {{kana}}
        | 氏名 | {{name}}
        | 性別 | {{sex}}
        | 生年月日（年齢） | {{birth}}
        | 電話 | {{phone}}
        | 住所 | {{address}}
        | 連絡先 | {{contacts}}
        | 保護した機関 | {{protectedBy}}
        | 委託期間 | {{period}}
        | 委託理由 | 徘徊により一時保護が必要となったため
        | 委託料 | 徘徊に係る緊急一時保護の取り扱いについて第6条の規定による
        | 介護の情報 | {{care}}
        | その他 | {{#approvalNote}}{{approvalNote}}{{/approvalNote}}ご本人の様子の変化・お迎えの連絡は町の担当へ：{{town.name}} {{town.department}}（電話 {{town.phone}}）

        """
}
