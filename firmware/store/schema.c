/*
 * schema.c — migration 1: the device's tables as in docs/ARCHITECTURE.md.
 *
 * Dates are day numbers (core/date.h), times of day are minutes since midnight, instants are
 * epoch seconds. The rules that must hold even against a buggy caller are constraints here:
 * one live appointment per slot and per practice (partial unique indexes, invariants I2/I3),
 * and an append-only audit table (triggers; the hash chain catches what bypasses them, I6).
 */
#include "store/schema.h"

static const char MIGRATION_1[] =
        "CREATE TABLE setting(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;\n"
        "CREATE TABLE questura(\n"
        "  code TEXT PRIMARY KEY,\n"
        "  name TEXT NOT NULL,\n"
        "  city TEXT NOT NULL,\n"
        "  address TEXT NOT NULL DEFAULT '',\n"
        "  email TEXT NOT NULL DEFAULT '',\n"
        "  patron_month INTEGER NOT NULL DEFAULT 0,\n"
        "  patron_day INTEGER NOT NULL DEFAULT 0) STRICT;\n"
        "CREATE TABLE calendar_exception(\n"
        "  questura TEXT NOT NULL REFERENCES questura(code),\n"
        "  day INTEGER NOT NULL,\n"
        "  open INTEGER NOT NULL CHECK(open IN (0, 1)),\n"
        "  note TEXT NOT NULL DEFAULT '',\n"
        "  PRIMARY KEY(questura, day)) STRICT, WITHOUT ROWID;\n"
        /* A slot is one concrete time at one Questura, held by one device (I2). */
        "CREATE TABLE slot(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  questura TEXT NOT NULL REFERENCES questura(code),\n"
        "  day INTEGER NOT NULL,\n"
        "  minute INTEGER NOT NULL CHECK(minute BETWEEN 0 AND 1439),\n"
        "  held_by TEXT NOT NULL,\n"
        "  state TEXT NOT NULL CHECK(state IN ('free', 'booked')),\n"
        "  UNIQUE(questura, day, minute)) STRICT;\n"
        "CREATE INDEX slot_free ON slot(questura, day, minute) WHERE state = 'free';\n"
        "CREATE TABLE practice(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  numero_pratica TEXT NOT NULL UNIQUE,\n"
        "  numero_visto TEXT UNIQUE,\n"
        "  cognome TEXT NOT NULL,\n"
        "  nome TEXT NOT NULL,\n"
        "  data_nascita INTEGER NOT NULL,\n"
        "  nazionalita TEXT NOT NULL,\n"
        "  tipo TEXT NOT NULL,\n"
        "  questura TEXT NOT NULL,\n"
        "  status TEXT NOT NULL DEFAULT 'nulla_osta_rilasciato',\n"
        "  demo INTEGER NOT NULL DEFAULT 0,\n"
        "  updated_at INTEGER NOT NULL) STRICT;\n"
        "CREATE TABLE operator(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  username TEXT NOT NULL UNIQUE,\n"
        "  role TEXT NOT NULL CHECK(role IN ('operatore', 'dirigente', 'tecnico')),\n"
        "  password_hash TEXT NOT NULL,\n"
        "  failures INTEGER NOT NULL DEFAULT 0,\n"
        "  locked_until INTEGER NOT NULL DEFAULT 0,\n"
        "  created_at INTEGER NOT NULL) STRICT;\n"
        "CREATE TABLE appointment(\n"
        "  id TEXT PRIMARY KEY,\n"
        "  practice_id INTEGER NOT NULL REFERENCES practice(id),\n"
        "  slot_id INTEGER NOT NULL REFERENCES slot(id),\n"
        "  operator_id INTEGER NOT NULL REFERENCES operator(id),\n"
        "  created_at INTEGER NOT NULL,\n"
        "  state TEXT NOT NULL CHECK(state IN ('confirmed', 'cancelled', 'moved')),\n"
        "  deferred_from INTEGER,\n"
        "  prints INTEGER NOT NULL DEFAULT 0,\n"
        "  modello209 INTEGER NOT NULL DEFAULT 0,\n"
        "  cancel_reason TEXT,\n"
        "  ended_at INTEGER,\n"
        "  replaced_by TEXT) STRICT;\n"
        "CREATE UNIQUE INDEX appointment_live_practice ON appointment(practice_id)\n"
        "  WHERE state = 'confirmed';\n"
        "CREATE UNIQUE INDEX appointment_live_slot ON appointment(slot_id) WHERE state = "
        "'confirmed';\n"
        "CREATE INDEX appointment_created ON appointment(created_at);\n"
        /* Outbound changes for central, in order; acked once central confirms (I4). */
        "CREATE TABLE journal(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  entry_id TEXT NOT NULL UNIQUE,\n"
        "  kind TEXT NOT NULL,\n"
        "  appointment_id TEXT,\n"
        "  payload TEXT NOT NULL,\n"
        "  created_at INTEGER NOT NULL,\n"
        "  acked INTEGER NOT NULL DEFAULT 0) STRICT;\n"
        "CREATE TABLE audit(\n"
        "  seq INTEGER PRIMARY KEY,\n"
        "  at INTEGER NOT NULL,\n"
        "  actor TEXT NOT NULL,\n"
        "  action TEXT NOT NULL,\n"
        "  subject TEXT NOT NULL,\n"
        "  detail TEXT NOT NULL,\n"
        "  prev_hash BLOB NOT NULL,\n"
        "  hash BLOB NOT NULL) STRICT;\n"
        "CREATE TABLE audit_head(\n"
        "  id INTEGER PRIMARY KEY CHECK(id = 1),\n"
        "  seq INTEGER NOT NULL,\n"
        "  hash BLOB NOT NULL) STRICT;\n"
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
        "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;\n"
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
        "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;\n"
        "CREATE TABLE outbox(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  message_id TEXT NOT NULL UNIQUE,\n"
        "  kind TEXT NOT NULL,\n"
        "  recipient TEXT NOT NULL,\n"
        "  subject TEXT NOT NULL,\n"
        "  body TEXT NOT NULL,\n"
        "  attachment_name TEXT,\n"
        "  attachment TEXT,\n"
        "  created_at INTEGER NOT NULL,\n"
        "  attempts INTEGER NOT NULL DEFAULT 0,\n"
        "  next_try INTEGER NOT NULL DEFAULT 0,\n"
        "  state TEXT NOT NULL DEFAULT 'queued' CHECK(state IN ('queued', 'sent', 'failed')),\n"
        "  last_error TEXT) STRICT;\n"
        "CREATE TABLE day_close(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  day INTEGER NOT NULL,\n"
        "  version INTEGER NOT NULL,\n"
        "  closed_at INTEGER NOT NULL,\n"
        "  operator_id INTEGER NOT NULL REFERENCES operator(id),\n"
        "  appointments INTEGER NOT NULL,\n"
        "  cancellations INTEGER NOT NULL,\n"
        "  UNIQUE(day, version)) STRICT;\n"
        "CREATE TABLE sync_state(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;\n";

/* Migration 2: what became of printing an appointment's slip (the durable reprint queue). */
static const char MIGRATION_2[] =
        "ALTER TABLE appointment ADD COLUMN print_state TEXT NOT NULL DEFAULT 'none'\n"
        "  CHECK(print_state IN ('none', 'printed', 'failed'));\n"
        "ALTER TABLE appointment ADD COLUMN print_error TEXT;\n"
        "CREATE INDEX appointment_print_failed ON appointment(created_at)\n"
        "  WHERE print_state = 'failed' AND state = 'confirmed';\n";

/*
 * Migration 3: closing what a hostile user found (issue 9).
 * - Failed log-ins are counted per typed user name, whether or not the account exists, under a
 *   keyed hash of the name (operators.c): a lock then tells nothing about which names exist, and
 *   names typed by mistake (a password in the user field) are never stored in clear. The old
 *   per-account counters go; counting restarts at the upgrade.
 * - A password message is queued under a topic ("password:USER"): a reset replaces the message
 *   still waiting instead of adding a second clear password, and a delivered one loses its body.
 */
static const char MIGRATION_3[] =
        "CREATE TABLE login_guard(\n"
        "  name_key BLOB PRIMARY KEY,\n"
        "  failures INTEGER NOT NULL,\n"
        "  locked_until INTEGER NOT NULL,\n"
        "  last_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;\n"
        "ALTER TABLE operator DROP COLUMN failures;\n"
        "ALTER TABLE operator DROP COLUMN locked_until;\n"
        "ALTER TABLE outbox ADD COLUMN topic TEXT;\n"
        "CREATE UNIQUE INDEX outbox_waiting_topic ON outbox(topic) WHERE state <> 'sent';\n"
        "CREATE TRIGGER outbox_sent_password_wiped AFTER UPDATE OF state ON outbox\n"
        "  WHEN NEW.state = 'sent' AND NEW.kind = 'password'\n"
        "  BEGIN UPDATE outbox SET body = '' WHERE id = NEW.id; END;\n";

/*
 * Migration 4: the seams sync needs (issue 10).
 * - A slot may carry the id of the grant central gave it under, and may be 'releasing': handed
 *   back, waiting for central's acknowledgement, never bookable. SQLite cannot change a CHECK in
 *   place, so the table is rebuilt (migrations run before foreign_keys is switched on, so dropping
 *   the old table does not touch the appointments that reference it). The CHECK is written as
 *   ORs: SQLite builds a temporary table for IN over three or more values on every write. The
 *   free-slot index now leads with the holder too: the scheduler asks for this device's free
 *   slots only.
 * - The reprint queue is every confirmed appointment whose slip was not printed, including those
 *   a crash left at 'none'.
 * - The mail sender keeps the server's last reply and when a message left.
 * - The sync client and the status bar find the journal entries central has not acknowledged
 *   through a partial index, not a walk of every entry ever written.
 */
static const char MIGRATION_4[] =
        "CREATE TABLE slot_v4(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  questura TEXT NOT NULL REFERENCES questura(code),\n"
        "  day INTEGER NOT NULL,\n"
        "  minute INTEGER NOT NULL CHECK(minute BETWEEN 0 AND 1439),\n"
        "  held_by TEXT NOT NULL,\n"
        "  state TEXT NOT NULL\n"
        "    CHECK(state = 'free' OR state = 'booked' OR state = 'releasing'),\n"
        "  grant_id TEXT,\n"
        "  UNIQUE(questura, day, minute)) STRICT;\n"
        "INSERT INTO slot_v4(id, questura, day, minute, held_by, state)\n"
        "  SELECT id, questura, day, minute, held_by, state FROM slot;\n"
        "DROP TABLE slot;\n"
        "ALTER TABLE slot_v4 RENAME TO slot;\n"
        "CREATE INDEX slot_free ON slot(questura, held_by, day, minute) WHERE state = 'free';\n"
        "CREATE INDEX slot_grant ON slot(grant_id) WHERE grant_id IS NOT NULL;\n"
        "DROP INDEX appointment_print_failed;\n"
        "CREATE INDEX appointment_print_pending ON appointment(created_at)\n"
        "  WHERE print_state <> 'printed' AND state = 'confirmed';\n"
        "ALTER TABLE outbox ADD COLUMN reply TEXT;\n"
        "ALTER TABLE outbox ADD COLUMN sent_at INTEGER;\n"
        "CREATE INDEX outbox_due ON outbox(next_try) WHERE state = 'queued';\n"
        "CREATE INDEX journal_unacked ON journal(id) WHERE acked = 0;\n";

/*
 * Migration 5: grants and leases from central, and the counter's worklist (issue 12).
 * - A slot central granted carries its lease (epoch seconds): NULL for the device's own
 *   capacity, 0 once central revoked it (never bookable again). grants.c finds a grant's row
 *   by central's slot id (grant_id, indexed since migration 4), so applying it twice is harmless.
 * - The worklist keeps what an operator must look at after central changed something under a
 *   booked appointment; open items are found through a partial index.
 */
static const char MIGRATION_5[] =
        "ALTER TABLE slot ADD COLUMN lease_end INTEGER;\n"
        "CREATE TABLE worklist(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  created_at INTEGER NOT NULL,\n"
        "  kind TEXT NOT NULL,\n"
        "  appointment_id TEXT,\n"
        "  numero_pratica TEXT,\n"
        "  detail TEXT NOT NULL DEFAULT '',\n"
        "  done_at INTEGER,\n"
        "  done_by TEXT) STRICT;\n"
        "CREATE INDEX worklist_open ON worklist(id) WHERE done_at IS NULL;\n";

/*
 * Migration 6: the end-of-day lists sent to each Questura (issue 13, services/day_list.h).
 * - day_list keeps every version of a Questura's list for a day: 1 the original, > 1 a
 *   RETTIFICA; its counts are what a later close compares to know whether the list changed.
 * - A day may be closed by the device itself at the close time (no operator: actor "sistema"),
 *   so day_close.operator_id may be NULL. SQLite cannot drop NOT NULL in place: the table is
 *   rebuilt as migration 4 rebuilt slot (nothing references day_close).
 */
static const char MIGRATION_6[] =
        "CREATE TABLE day_list(\n"
        "  day INTEGER NOT NULL,\n"
        "  questura TEXT NOT NULL,\n"
        "  version INTEGER NOT NULL CHECK(version >= 1),\n"
        "  created_at INTEGER NOT NULL,\n"
        "  appointments INTEGER NOT NULL,\n"
        "  cancellations INTEGER NOT NULL,\n"
        "  message_id TEXT NOT NULL,\n"
        "  PRIMARY KEY(day, questura, version)) STRICT, WITHOUT ROWID;\n"
        "CREATE TABLE day_close_v6(\n"
        "  id INTEGER PRIMARY KEY,\n"
        "  day INTEGER NOT NULL,\n"
        "  version INTEGER NOT NULL,\n"
        "  closed_at INTEGER NOT NULL,\n"
        "  operator_id INTEGER REFERENCES operator(id),\n"
        "  appointments INTEGER NOT NULL,\n"
        "  cancellations INTEGER NOT NULL,\n"
        "  UNIQUE(day, version)) STRICT;\n"
        "INSERT INTO day_close_v6 SELECT id, day, version, closed_at, operator_id, appointments,\n"
        "  cancellations FROM day_close;\n"
        "DROP TABLE day_close;\n"
        "ALTER TABLE day_close_v6 RENAME TO day_close;\n";

const char *const SCHEMA_MIGRATIONS[] = {MIGRATION_1, MIGRATION_2, MIGRATION_3,
                                         MIGRATION_4, MIGRATION_5, MIGRATION_6};
const int SCHEMA_VERSION = (int)(sizeof SCHEMA_MIGRATIONS / sizeof SCHEMA_MIGRATIONS[0]);
