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
};
