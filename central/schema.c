/*
 * schema.c — agenda-central's migrations, SQLite and PostgreSQL side by side (see schema.h).
 *
 * The two dialects say the same thing: a Questura by its code; a slot is one time (day number
 * since 1970-01-01 and minute of the day, as on the device) at one Questura, in central's pool
 * while holder is NULL, else held by one device. "Given twice" cannot be written down: holder is
 * one column. What the backends must guarantee is that two clients are never both *told* they
 * got a slot — that is allocate's transaction (store_sqlite.c, store_pg.c). Differences:
 * SQLite's STRICT tables and rowid ids; PostgreSQL's identity column. Both keep the partial
 * index slot_free that allocate walks in (day, minute) order.
 */
#include "schema.h"

/*
 * Migration 3: the admin verbs' tables (store_admin.h). The practice table and the outbox have
 * the device's columns and rules (firmware/store/schema.c): a practice by its numero_pratica, a
 * visa number on one practice at most; one waiting message per topic ("password:USER"), and a
 * password message loses its body the moment it is marked sent (a trigger, so no sender can
 * forget). Operators carry their site and, unlike the device, their own failure count: central
 * has no log-in of its own yet, the count is what devices will report. A closure row with
 * open = 0 closes a day, open = 1 opens a normally closed one (as the device's
 * calendar_exception); the Questura's patron saint decides its calendar with the national one.
 */
#define MIGRATION_3_COMMON(INT, BIGINT, IDENTITY, STRICT)                                          \
	"ALTER TABLE questura ADD COLUMN patron_month " INT " NOT NULL DEFAULT 0\n"                \
	"  CHECK(patron_month BETWEEN 0 AND 12);\n"                                                \
	"ALTER TABLE questura ADD COLUMN patron_day " INT " NOT NULL DEFAULT 0\n"                  \
	"  CHECK(patron_day BETWEEN 0 AND 31);\n"                                                  \
	"CREATE TABLE closure(\n"                                                                  \
	"  questura TEXT NOT NULL REFERENCES questura(code),\n"                                    \
	"  day " INT " NOT NULL,\n"                                                                \
	"  open " INT " NOT NULL CHECK(open IN (0, 1)),\n"                                         \
	"  note TEXT NOT NULL DEFAULT '',\n"                                                       \
	"  PRIMARY KEY(questura, day))" STRICT ";\n"                                               \
	"CREATE TABLE operator(\n"                                                                 \
	"  username TEXT PRIMARY KEY CHECK(length(username) BETWEEN 3 AND 32),\n"                  \
	"  role TEXT NOT NULL CHECK(role IN ('operatore', 'dirigente', 'tecnico')),\n"             \
	"  site TEXT NOT NULL REFERENCES site(code),\n"                                            \
	"  password_hash TEXT NOT NULL,\n"                                                         \
	"  failures " INT " NOT NULL DEFAULT 0,\n"                                                 \
	"  locked_until " BIGINT " NOT NULL DEFAULT 0,\n"                                          \
	"  created_at " BIGINT " NOT NULL,\n"                                                      \
	"  updated_at " BIGINT " NOT NULL)" STRICT ";\n"                                           \
	"CREATE INDEX operator_site ON operator(site);\n"                                          \
	"CREATE TABLE outbox(\n"                                                                   \
	"  id " IDENTITY ",\n"                                                                     \
	"  message_id TEXT NOT NULL UNIQUE,\n"                                                     \
	"  kind TEXT NOT NULL,\n"                                                                  \
	"  topic TEXT,\n"                                                                          \
	"  recipient TEXT NOT NULL,\n"                                                             \
	"  subject TEXT NOT NULL,\n"                                                               \
	"  body TEXT NOT NULL,\n"                                                                  \
	"  attachment_name TEXT,\n"                                                                \
	"  attachment TEXT,\n"                                                                     \
	"  created_at " BIGINT " NOT NULL,\n"                                                      \
	"  attempts " INT " NOT NULL DEFAULT 0,\n"                                                 \
	"  next_try " BIGINT " NOT NULL DEFAULT 0,\n"                                              \
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK(state IN ('queued', 'sent', 'failed')),\n"   \
	"  last_error TEXT,\n"                                                                     \
	"  reply TEXT,\n"                                                                          \
	"  sent_at " BIGINT ")" STRICT ";\n"                                                       \
	"CREATE UNIQUE INDEX outbox_waiting_topic ON outbox(topic) WHERE state <> 'sent';\n"       \
	"CREATE INDEX outbox_due ON outbox(next_try) WHERE state = 'queued';\n"                    \
	"CREATE TABLE practice(\n"                                                                 \
	"  id " IDENTITY ",\n"                                                                     \
	"  numero_pratica TEXT NOT NULL UNIQUE,\n"                                                 \
	"  numero_visto TEXT UNIQUE,\n"                                                            \
	"  cognome TEXT NOT NULL,\n"                                                               \
	"  nome TEXT NOT NULL,\n"                                                                  \
	"  data_nascita " INT " NOT NULL,\n"                                                       \
	"  nazionalita TEXT NOT NULL,\n"                                                           \
	"  tipo TEXT NOT NULL,\n"                                                                  \
	"  questura TEXT NOT NULL REFERENCES questura(code),\n"                                    \
	"  status TEXT NOT NULL DEFAULT 'nulla_osta_rilasciato',\n"                                \
	"  demo " INT " NOT NULL DEFAULT 0,\n"                                                     \
	"  updated_at " BIGINT " NOT NULL)" STRICT ";\n"                                           \
	"CREATE INDEX practice_questura ON practice(questura);\n"

static const char MIGRATION_3_SQLITE[] = MIGRATION_3_COMMON(
        "INTEGER", "INTEGER", "INTEGER PRIMARY KEY",
        " STRICT") "CREATE TRIGGER outbox_sent_password_wiped AFTER UPDATE OF state ON outbox\n"
                   "  WHEN NEW.state = 'sent' AND NEW.kind = 'password'\n"
                   "  BEGIN UPDATE outbox SET body = '' WHERE id = NEW.id; END;\n";

static const char MIGRATION_3_PG[] = MIGRATION_3_COMMON(
        "integer", "bigint", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "") "CREATE FUNCTION outbox_wipe_sent_password() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  IF NEW.state = 'sent' AND NEW.kind = 'password' THEN NEW.body := ''; END IF;\n"
            "  RETURN NEW;\n"
            "END $$;\n"
            "CREATE TRIGGER outbox_sent_password_wiped BEFORE UPDATE OF state ON outbox\n"
            "  FOR EACH ROW EXECUTE FUNCTION outbox_wipe_sent_password();\n";

/*
 * Migration 4: sync with slot grants (issue 12, docs/CENTRAL.md "Sync"). A held slot carries its
 * lease end and the seq of the grant change that gave it. `change` is the log every device reads
 * after its cursor: who gets a row is said by exactly one of device (grant, revoke), questura
 * (capacity, practice), site (operator), or none (a Questura record); body is the change as the
 * protocol encodes it, without seq. appointment is central's copy of each device booking (one
 * confirmed per practice and per slot, by partial unique indexes); journal_applied makes every
 * journal entry count once, by entry id, with the outcome it got; device_sync is each device's
 * last round, its anchored audit record and the first tamper alert seen.
 */
#define MIGRATION_4_COMMON(BIGINT, SEQ, STRICT)                                                    \
	"ALTER TABLE slot ADD COLUMN lease_end " BIGINT ";\n"                                      \
	"ALTER TABLE slot ADD COLUMN grant_seq " BIGINT ";\n"                                      \
	"CREATE TABLE change(\n"                                                                   \
	"  seq " SEQ ",\n"                                                                         \
	"  type TEXT NOT NULL,\n"                                                                  \
	"  device TEXT,\n"                                                                         \
	"  questura TEXT,\n"                                                                       \
	"  site TEXT,\n"                                                                           \
	"  body TEXT NOT NULL,\n"                                                                  \
	"  created_at " BIGINT " NOT NULL)" STRICT ";\n"                                           \
	"CREATE INDEX change_device ON change(device, seq) WHERE device IS NOT NULL;\n"            \
	"CREATE TABLE appointment(\n"                                                              \
	"  id TEXT PRIMARY KEY,\n"                                                                 \
	"  device TEXT NOT NULL,\n"                                                                \
	"  numero_pratica TEXT NOT NULL,\n"                                                        \
	"  questura TEXT NOT NULL,\n"                                                              \
	"  day " BIGINT " NOT NULL,\n"                                                             \
	"  minute " BIGINT " NOT NULL,\n"                                                          \
	"  slot_id " BIGINT " NOT NULL,\n"                                                         \
	"  state TEXT NOT NULL CHECK(state IN ('confirmed', 'cancelled', 'moved')),\n"             \
	"  at " BIGINT " NOT NULL,\n"                                                              \
	"  entry_id TEXT NOT NULL)" STRICT ";\n"                                                   \
	"CREATE UNIQUE INDEX appointment_one_per_practice ON appointment(numero_pratica)\n"        \
	"  WHERE state = 'confirmed';\n"                                                           \
	"CREATE UNIQUE INDEX appointment_one_per_slot ON appointment(slot_id)\n"                   \
	"  WHERE state = 'confirmed';\n"                                                           \
	"CREATE INDEX appointment_device ON appointment(device) WHERE state = 'confirmed';\n"      \
	"CREATE TABLE journal_applied(\n"                                                          \
	"  entry_id TEXT PRIMARY KEY,\n"                                                           \
	"  device TEXT NOT NULL,\n"                                                                \
	"  seq " BIGINT " NOT NULL,\n"                                                             \
	"  kind TEXT NOT NULL,\n"                                                                  \
	"  outcome TEXT NOT NULL CHECK(outcome IN ('ack', 'conflict')),\n"                         \
	"  reason TEXT,\n"                                                                         \
	"  action TEXT,\n"                                                                         \
	"  applied_at " BIGINT " NOT NULL)" STRICT ";\n"                                           \
	"CREATE TABLE device_sync(\n"                                                              \
	"  device TEXT PRIMARY KEY,\n"                                                             \
	"  cursor_sent " BIGINT " NOT NULL DEFAULT 0,\n"                                           \
	"  last_round_at " BIGINT " NOT NULL DEFAULT 0,\n"                                         \
	"  lease_end " BIGINT " NOT NULL DEFAULT 0,\n"                                             \
	"  audit_seq " BIGINT " NOT NULL DEFAULT 0,\n"                                             \
	"  audit_hash TEXT NOT NULL DEFAULT '',\n"                                                 \
	"  digest_ok " BIGINT " NOT NULL DEFAULT 1,\n"                                             \
	"  alert TEXT,\n"                                                                          \
	"  alert_at " BIGINT ")" STRICT ";\n"

static const char MIGRATION_4_SQLITE[] =
        MIGRATION_4_COMMON("INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT", " STRICT");
static const char MIGRATION_4_PG[] =
        MIGRATION_4_COMMON("bigint", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "");

/*
 * Migration 5: where a Questura's end-of-day list goes (issue 13). Central is where Questure are
 * kept for every enrolled device, so their address travels with them in the questura change;
 * '' until `questura add --email` or `questura set --email` gives one.
 */
static const char MIGRATION_5[] =
        "ALTER TABLE questura ADD COLUMN email TEXT NOT NULL DEFAULT '';\n";

const central_migration CENTRAL_MIGRATIONS[CENTRAL_SCHEMA_VERSION] = {
        {
                .sqlite = "CREATE TABLE questura(\n"
                          "  code TEXT PRIMARY KEY CHECK(length(code) BETWEEN 1 AND 16),\n"
                          "  name TEXT NOT NULL) STRICT;\n"
                          "CREATE TABLE slot(\n"
                          "  id INTEGER PRIMARY KEY,\n"
                          "  questura TEXT NOT NULL REFERENCES questura(code),\n"
                          "  day INTEGER NOT NULL,\n"
                          "  minute INTEGER NOT NULL CHECK(minute BETWEEN 0 AND 1439),\n"
                          "  holder TEXT CHECK(length(holder) BETWEEN 1 AND 64),\n"
                          "  UNIQUE(questura, day, minute)) STRICT;\n"
                          "CREATE INDEX slot_free ON slot(questura, day, minute)\n"
                          "  WHERE holder IS NULL;\n"
                          "CREATE INDEX slot_holder ON slot(holder) WHERE holder IS NOT NULL;\n",
                .postgresql =
                        "CREATE TABLE questura(\n"
                        "  code text PRIMARY KEY CHECK(length(code) BETWEEN 1 AND 16),\n"
                        "  name text NOT NULL);\n"
                        "CREATE TABLE slot(\n"
                        "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                        "  questura text NOT NULL REFERENCES questura(code),\n"
                        "  day integer NOT NULL,\n"
                        "  minute integer NOT NULL CHECK(minute BETWEEN 0 AND 1439),\n"
                        "  holder text CHECK(length(holder) BETWEEN 1 AND 64),\n"
                        "  UNIQUE(questura, day, minute));\n"
                        "CREATE INDEX slot_free ON slot(questura, day, minute)\n"
                        "  WHERE holder IS NULL;\n"
                        "CREATE INDEX slot_holder ON slot(holder) WHERE holder IS NOT NULL;\n",
        },
        {
                /* 2: sites (a Sportello Unico and the provinces it serves), devices and the
                 * one-time enrolment codes that make them, wrong-code throttling by address.
                 * Times are unix seconds. A code is stored only as the SHA-256 of its
                 * normalised form; device.public_key_sha256 is what makes a retried enrolment
                 * with the same key get the same certificate. */
                .sqlite = "CREATE TABLE site(\n"
                          "  code TEXT PRIMARY KEY CHECK(length(code) BETWEEN 1 AND 16\n"
                          "    AND code NOT GLOB '*[^A-Z0-9]*'),\n"
                          "  city TEXT NOT NULL CHECK(length(city) BETWEEN 1 AND 100),\n"
                          "  dirigente TEXT NOT NULL CHECK(length(dirigente) BETWEEN 3 AND 254),\n"
                          "  created_at INTEGER NOT NULL,\n"
                          "  next_device INTEGER NOT NULL DEFAULT 1) STRICT;\n"
                          "CREATE TABLE site_province(\n"
                          "  site TEXT NOT NULL REFERENCES site(code),\n"
                          "  province TEXT NOT NULL CHECK(length(province) = 2),\n"
                          "  PRIMARY KEY(site, province)) STRICT;\n"
                          "CREATE TABLE device(\n"
                          "  id TEXT PRIMARY KEY CHECK(length(id) BETWEEN 1 AND 39),\n"
                          "  site TEXT NOT NULL REFERENCES site(code),\n"
                          "  public_key_sha256 TEXT NOT NULL,\n"
                          "  certificate TEXT NOT NULL,\n"
                          "  not_after INTEGER NOT NULL,\n"
                          "  enrolled_at INTEGER NOT NULL,\n"
                          "  renewed_at INTEGER,\n"
                          "  revoked_at INTEGER) STRICT;\n"
                          "CREATE INDEX device_site ON device(site);\n"
                          "CREATE TABLE enrol_code(\n"
                          "  code_sha256 TEXT PRIMARY KEY,\n"
                          "  site TEXT NOT NULL REFERENCES site(code),\n"
                          "  created_at INTEGER NOT NULL,\n"
                          "  expires_at INTEGER NOT NULL,\n"
                          "  used_at INTEGER,\n"
                          "  device TEXT REFERENCES device(id)) STRICT;\n"
                          "CREATE TABLE enrol_throttle(\n"
                          "  address TEXT PRIMARY KEY,\n"
                          "  window_start INTEGER NOT NULL,\n"
                          "  failures INTEGER NOT NULL,\n"
                          "  blocked_until INTEGER) STRICT;\n",
                .postgresql =
                        "CREATE TABLE site(\n"
                        "  code text PRIMARY KEY CHECK(code ~ '^[A-Z0-9]{1,16}$'),\n"
                        "  city text NOT NULL CHECK(length(city) BETWEEN 1 AND 100),\n"
                        "  dirigente text NOT NULL CHECK(length(dirigente) BETWEEN 3 AND 254),\n"
                        "  created_at bigint NOT NULL,\n"
                        "  next_device integer NOT NULL DEFAULT 1);\n"
                        "CREATE TABLE site_province(\n"
                        "  site text NOT NULL REFERENCES site(code),\n"
                        "  province text NOT NULL CHECK(length(province) = 2),\n"
                        "  PRIMARY KEY(site, province));\n"
                        "CREATE TABLE device(\n"
                        "  id text PRIMARY KEY CHECK(length(id) BETWEEN 1 AND 39),\n"
                        "  site text NOT NULL REFERENCES site(code),\n"
                        "  public_key_sha256 text NOT NULL,\n"
                        "  certificate text NOT NULL,\n"
                        "  not_after bigint NOT NULL,\n"
                        "  enrolled_at bigint NOT NULL,\n"
                        "  renewed_at bigint,\n"
                        "  revoked_at bigint);\n"
                        "CREATE INDEX device_site ON device(site);\n"
                        "CREATE TABLE enrol_code(\n"
                        "  code_sha256 text PRIMARY KEY,\n"
                        "  site text NOT NULL REFERENCES site(code),\n"
                        "  created_at bigint NOT NULL,\n"
                        "  expires_at bigint NOT NULL,\n"
                        "  used_at bigint,\n"
                        "  device text REFERENCES device(id));\n"
                        "CREATE TABLE enrol_throttle(\n"
                        "  address text PRIMARY KEY,\n"
                        "  window_start bigint NOT NULL,\n"
                        "  failures integer NOT NULL,\n"
                        "  blocked_until bigint);\n",
        },
        {.sqlite = MIGRATION_3_SQLITE, .postgresql = MIGRATION_3_PG},
        {.sqlite = MIGRATION_4_SQLITE, .postgresql = MIGRATION_4_PG},
        {.sqlite = MIGRATION_5, .postgresql = MIGRATION_5},
};
