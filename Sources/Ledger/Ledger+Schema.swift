import GRDB

extension Ledger {
    /// Versioned schema. Never edit a registered migration; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Times: integer milliseconds since 1970 UTC.
            try db.execute(
                sql: """
                    CREATE TABLE cases (
                        id TEXT PRIMARY KEY NOT NULL,
                        municipality TEXT NOT NULL,
                        drill INTEGER NOT NULL DEFAULT 0,
                        state BLOB,                 -- the core's snapshot; NULL once purged
                        state_name TEXT NOT NULL,
                        last_sequence INTEGER NOT NULL,
                        opened_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        closed_at INTEGER,
                        purged_at INTEGER
                    ) STRICT;
                    CREATE INDEX cases_closed ON cases(closed_at) WHERE purged_at IS NULL;

                    CREATE TABLE events (
                        message_id TEXT PRIMARY KEY NOT NULL,
                        case_id TEXT NOT NULL REFERENCES cases(id),
                        sequence INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        body BLOB                   -- personal data; NULL once purged
                    ) STRICT;
                    CREATE INDEX events_case ON events(case_id, sequence);

                    CREATE TABLE notices (
                        case_id TEXT NOT NULL REFERENCES cases(id),
                        revision INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        content BLOB,               -- personal data; NULL once purged
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (case_id, revision, kind, channel)
                    ) STRICT, WITHOUT ROWID;

                    CREATE TABLE deliveries (
                        id INTEGER PRIMARY KEY,
                        case_id TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        recipient_id TEXT NOT NULL,
                        address TEXT,               -- the cooperator's; NULL once purged
                        channel TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN
                            ('planned','sending','delivered','failed','cancelled','expired')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        not_before INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        deadline_at INTEGER NOT NULL,
                        idempotency_key TEXT NOT NULL UNIQUE,
                        last_error_code TEXT,
                        last_error TEXT,
                        accepted_at INTEGER,
                        finished_at INTEGER,
                        created_at INTEGER NOT NULL,
                        FOREIGN KEY (case_id, revision, kind, channel)
                            REFERENCES notices(case_id, revision, kind, channel)
                    ) STRICT;
                    CREATE INDEX deliveries_due ON deliveries(state, channel, next_attempt_at);
                    CREATE INDEX deliveries_case ON deliveries(case_id, kind, state);

                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        case_id TEXT,
                        event TEXT NOT NULL,        -- case.opened, intake.duplicate, case.purged, …
                        message_id TEXT,
                        detail TEXT                 -- counts and ids only, logfmt
                    ) STRICT;
                    CREATE INDEX audit_case ON audit(case_id, at);
                    """)
        }
        migrator.registerMigration("v2-alarm-outbox") { db in
            // A failed or expired delivery owes the operator an alarm until `alarmed_at` is set:
            // the outbox that survives a crash between the final state and the alarm mail.
            // Deliveries that ended before this version were alarmed the old way.
            try db.execute(
                sql: """
                    ALTER TABLE deliveries ADD COLUMN alarmed_at INTEGER;
                    UPDATE deliveries SET alarmed_at = coalesce(finished_at, 0) WHERE state IN ('failed', 'expired');
                    CREATE INDEX deliveries_unalarmed ON deliveries(finished_at)
                        WHERE alarmed_at IS NULL AND state IN ('failed', 'expired');
                    """)
        }
        migrator.registerMigration("v3-claims") { db in
            // How many times a delivery was claimed without an outcome being recorded: raised by
            // each claim, lowered when an unstarted claim is given back (graceful stop, pause),
            // cleared by any outcome. A delivery that keeps coming back from crashes (one that
            // kills the daemon, or hangs it until a kill) is failed at resume instead of taking
            // the channel down with it (`Ledger.crashLoopLimit`).
            try db.execute(
                sql: """
                    ALTER TABLE deliveries ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX deliveries_suspect ON deliveries(channel, claims) WHERE state = 'planned' AND claims > 1;
                    """)
        }
        migrator.registerMigration("v4-resends") { db in
            // How many times staff planned a failed or expired delivery again (`mimamori resend`):
            // a FAX API that replays its stored answer for a known Idempotency-Key needs a new
            // key per resend.
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN resends INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v5-case-alarms") { db in
            // Mails about a case to the staff or the operator (an open case never closed, an
            // event held as stale): owed until `sent_at` is set, raised at most once per case,
            // kind and audience. Ids and times only.
            try db.execute(
                sql: """
                    CREATE TABLE case_alarms (
                        case_id TEXT NOT NULL REFERENCES cases(id),
                        kind TEXT NOT NULL,         -- open-case, held.stale
                        audience TEXT NOT NULL,     -- staff, operator
                        raised_at INTEGER NOT NULL,
                        sent_at INTEGER,
                        PRIMARY KEY (case_id, kind, audience)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX case_alarms_owed ON case_alarms(raised_at) WHERE sent_at IS NULL;
                    """)
        }
        migrator.registerMigration("v6-concerns") { db in
            // Concern reports (みまさかほっとネット) live beside cases, under their report id: the
            // same events, notices, deliveries, audit and purge. `schema` tells them apart, so
            // neither kind of event can touch the other's row. A report whose reporter gave
            // only a phone waits on its desk's call-back list: ids and times only (the phone
            // number stays in the event body, purged with it).
            try db.execute(
                sql: """
                    ALTER TABLE cases ADD COLUMN schema TEXT NOT NULL DEFAULT 'mimamori.case/1';
                    CREATE TABLE concern_callbacks (
                        report_id TEXT PRIMARY KEY NOT NULL REFERENCES cases(id),
                        desk_id TEXT NOT NULL,
                        raised_at INTEGER NOT NULL,
                        called_at INTEGER
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX concern_callbacks_owed ON concern_callbacks(desk_id, raised_at) WHERE called_at IS NULL;
                    """)
        }
        migrator.registerMigration("v7-registry") { db in
            try db.execute(
                sql: """
                    CREATE TABLE registrations (
                        id TEXT PRIMARY KEY NOT NULL,
                        record BLOB NOT NULL,       -- sealed (RegistryVault); its key is in the key store
                        registered_on TEXT NOT NULL,
                        confirmed_on TEXT NOT NULL,
                        reminded_due_soon TEXT,     -- the due date whose early reminder went
                        reminded_overdue TEXT,
                        updated_at INTEGER NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    CREATE TABLE registry_audit (
                        id INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        registration_id TEXT,
                        action TEXT NOT NULL,       -- registered, updated, confirmed, removed, purged, sheet, find, reminded, merged
                        by TEXT NOT NULL,
                        reason TEXT                 -- codes, staff names, case ids: never a field of a registration
                    ) STRICT;
                    CREATE INDEX registry_audit_registration ON registry_audit(registration_id, at);
                    """)
        }
        migrator.registerMigration("v8-shelter") { db in
            // Emergency temporary stays (緊急一時保護): one per case (or per record of a person
            // protected without a case, whose `cases` row has the schema `mimamori.shelter/1`).
            // Ids, dates, counts and the approving official's name; the request's fields are
            // `form`, personal data, NULL once the case is purged.
            try db.execute(
                sql: """
                    CREATE TABLE shelter_stays (
                        case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases(id),
                        facility_id TEXT NOT NULL,
                        starts_on TEXT NOT NULL,
                        days INTEGER NOT NULL,
                        approved_by TEXT,
                        state TEXT NOT NULL CHECK (state IN ('held', 'sent', 'ended')),
                        held_reason TEXT,
                        amendments INTEGER NOT NULL DEFAULT 0,
                        revision INTEGER NOT NULL,
                        ended_at INTEGER,
                        reminded_for TEXT,          -- the last day whose morning reminder was raised
                        drill INTEGER NOT NULL DEFAULT 0,
                        form BLOB,                  -- the request's fields; NULL once purged
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX shelter_stays_out ON shelter_stays(state) WHERE state = 'sent';
                    """)
        }
        migrator.registerMigration("v9-confirmations") { db in
            // What cooperators confirmed, per delivery: its code (NULL once the case is purged,
            // so a code of a purged case is unknown), when the papers were received and when
            // destroyed, and how the last confirmation came (`link`: the cooperator's own
            // click or QR scan; `staff`: told by phone or FAX and recorded with `mimamori
            // confirm`). A FAX's transmission as the provider reported it is kept apart from
            // its acceptance (`accepted_at`): `transmitted` or `failed`, with its time.
            try db.execute(
                sql: """
                    ALTER TABLE deliveries ADD COLUMN confirmation TEXT;
                    ALTER TABLE deliveries ADD COLUMN received_at INTEGER;
                    ALTER TABLE deliveries ADD COLUMN destroyed_at INTEGER;
                    ALTER TABLE deliveries ADD COLUMN confirmed_via TEXT
                        CHECK (confirmed_via IN ('link', 'staff'));
                    ALTER TABLE deliveries ADD COLUMN transmission TEXT
                        CHECK (transmission IN ('transmitted', 'failed'));
                    ALTER TABLE deliveries ADD COLUMN transmitted_at INTEGER;
                    CREATE UNIQUE INDEX deliveries_confirmation ON deliveries(confirmation) WHERE confirmation IS NOT NULL;
                    CREATE INDEX deliveries_recipient ON deliveries(case_id, recipient_id);
                    """)
        }
        migrator.registerMigration("v10-second-reminder") { db in
            // When the second destruction reminder of a case was decided (planned to those who
            // had not confirmed, or to nobody when all had): it is decided once, never again,
            // restarts and purge included.
            try db.execute(sql: "ALTER TABLE cases ADD COLUMN second_reminder_at INTEGER")
        }
        migrator.registerMigration("v11-fax-line") { db in
            // What the FAX line did with an accepted FAX: the provider's job id (HTTP API,
            // HylaFAX: what its status reports name), and how many times the number was found
            // engaged or unanswered and dialled again. Ids and counts only.
            try db.execute(
                sql: """
                    ALTER TABLE deliveries ADD COLUMN fax_job TEXT;
                    ALTER TABLE deliveries ADD COLUMN line_tries INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX deliveries_fax_job ON deliveries(fax_job) WHERE fax_job IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v12-partner-forwards") { db in
            // Our cases forwarded to a partner town's daemon (seed 004), an outbox: written with
            // the event, published with confirms, then kept without the body as the record that
            // it went. `body` is the event as signed (personal data): NULL once forwarded, and
            // with the purge.
            try db.execute(
                sql: """
                    CREATE TABLE partner_forwards (
                        id INTEGER PRIMARY KEY,
                        case_id TEXT NOT NULL,
                        message_id TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        partner TEXT NOT NULL,
                        routing_key TEXT NOT NULL,
                        body BLOB,
                        headers TEXT,
                        recorded_at INTEGER NOT NULL,
                        forwarded_at INTEGER
                    );
                    CREATE INDEX partner_forwards_pending ON partner_forwards(id) WHERE forwarded_at IS NULL;
                    CREATE INDEX partner_forwards_case ON partner_forwards(case_id);
                    """)
        }
        migrator.registerMigration("v13-plan-remainders") { db in
            // A large plan's deliveries its event's transaction did not write (`PlanRemainder`),
            // a few hundred kilobytes at most and gone within a second: written chunk by chunk
            // after the event, or by `resume` after a stop. `deliveries` is personal data.
            try db.execute(
                sql: """
                    CREATE TABLE plan_remainders (
                        id INTEGER PRIMARY KEY,
                        case_id TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        deliveries BLOB NOT NULL
                    ) STRICT;
                    """)
        }
        return migrator
    }
}
