"""agendactl_printer_test.py — the printer commands on real bookings (issue 3).

A booking's slip printed to the virtual printer is read back as a person and a scanner would:
its QR decodes with zbarimg to the booking reference and its text keeps the accents (CP858
round trip). A printer that fails leaves the booking confirmed, exits 13 and puts the appointment
in the durable reprint queue; the reprint prints it, once. A slip never printed (a crash before
the outcome) is in that queue too. The device's printer_uri and printer_profile settings choose
the printer, below $AGENDA_PRINTER and --printer. The test slip needs no database and
no log-in. `printer list` finds an emulated Epson TM-T20III on an emulated USB bus (umockdev-run
with the device's sysfs attributes and descriptors).
"""
import os
import shutil
import socket
import sqlite3
import subprocess

from agendactl_harness import AgendaTest, csv_text, main

U = "mario.rossi"


def closed_port():
    """A loopback port nobody listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def zbar(png):
    r = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True,
                       timeout=60)
    return r.stdout.strip()


def epson_umockdev(vid=0x04B8, pid=0x0E28, ep_out=0x01, ep_in=0x82):
    """A umockdev device record: sysfs attributes and the device + configuration descriptors."""
    total = 9 + 9 + 7 * 2
    hexd = ("12010002000000" + "40" + "%02x%02x%02x%02x" % (vid & 0xFF, vid >> 8, pid & 0xFF,
                                                            pid >> 8) + "0001010203" + "01"
            + "0902%02x%02x010100c001" % (total & 0xFF, total >> 8)
            + "09040000%02x%02x010200" % (2, 7)
            + "0705%02x0200020a" % ep_out + "0705%02x0200020a" % ep_in)
    return ("P: /devices/pci0000:00/usb1/1-1\n"
            "N: bus/usb/001/002\n"
            "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
            "E: BUSNUM=001\nE: DEVNUM=002\nE: DEVNAME=/dev/bus/usb/001/002\n"
            "A: busnum=1\\n\nA: devnum=2\\n\nA: bConfigurationValue=1\\n\nA: speed=480\\n\n"
            "A: idVendor=%04x\\n\nA: idProduct=%04x\\n\n"
            "H: descriptors=%s\n" % (vid, pid, hexd))


class PrinterTest(AgendaTest):
    def setUp(self):
        super().setUp()
        self.ag.standard_site()
        self.slips = os.path.join(self.folder, "slips")
        os.mkdir(self.slips)

    def virtual(self, name):
        return "virtual:" + os.path.join(self.slips, name)

    def print_ok(self, verb, appointment, name):
        r = self.ag.run("printer", verb, appointment, "--printer", self.virtual(name), user=U)
        self.assertExit(r, 0)
        png = os.path.join(self.slips, name + "-1.png")
        with open(os.path.join(self.slips, name + "-1.txt"), encoding="utf-8") as f:
            return r.json, png, f.read()

    def print_state(self, appointment):
        with self.ag.sql() as db:
            return db.execute("SELECT state, prints, print_state FROM appointment WHERE id = ?",
                              (appointment,)).fetchone()

    def test_slip_of_a_booking_reads_back(self):
        b = self.ag.book("RM/2026/000004").json
        obj, png, text = self.print_ok("print", b["id"], "first")
        self.assertEqual(obj["prints"], 1)
        self.assertEqual(zbar(png), b["id"])
        self.assertIn("CONVOCAZIONE PER FOTOSEGNALAMENTO", text)
        self.assertIn("martedì 5 maggio 2026", text)  # accent through CP858 and back
        self.assertIn("PERÙ", text)
        self.assertIn("Via di San Vitale 15, Roma", text)
        self.assertIn("RM/2026/000004", text)
        self.assertNotIn("DUPLICATO", text)
        # printed again: a duplicate
        obj, png, text = self.print_ok("reprint", b["id"], "again")
        self.assertEqual(obj["prints"], 2)
        self.assertIn("DUPLICATO", text)
        self.assertEqual(zbar(png), b["id"])

    def test_failed_print_keeps_booking_and_queues_reprint(self):
        b = self.ag.book("RM/2026/000001").json
        r = self.ag.run("printer", "print", b["id"], "--printer",
                        "tcp:127.0.0.1:%d" % closed_port(), user=U)
        self.assertExit(r, 13, "printer")
        self.assertTrue(r.json["booking_kept"])
        self.assertIn("resta confermato", r.err)
        self.assertEqual(self.print_state(b["id"]), ("confirmed", 0, "failed"))
        q = self.ag.run("printer", "queue", user=U)
        self.assertExit(q, 0)
        self.assertEqual([o["id"] for o in q.objs], [b["id"]])
        # a file printer in a folder that does not exist fails the same way
        r = self.ag.run("printer", "print", b["id"], "--printer", "file:/nonexistent/dir/lp",
                        user=U)
        self.assertExit(r, 13, "printer")
        # the reprint prints the first real slip: not a duplicate; the queue empties
        obj, png, text = self.print_ok("reprint", b["id"], "recovered")
        self.assertEqual(obj["prints"], 1)
        self.assertNotIn("DUPLICATO", text)
        self.assertEqual(zbar(png), b["id"])
        self.assertEqual(self.print_state(b["id"]), ("confirmed", 1, "printed"))
        self.assertEqual(self.ag.run("printer", "queue", user=U).objs, [])
        # nothing was booked twice
        with self.ag.sql() as db:
            self.assertEqual(db.execute("SELECT count(*) FROM appointment").fetchone()[0], 1)

    def test_never_printed_slip_is_in_the_queue(self):
        # A crash between the booking and its print outcome leaves the slip "none": queued too.
        a = self.ag.book("RM/2026/000001").json
        b = self.ag.book("RM/2026/000004").json
        self.assertEqual(self.print_state(b["id"]), ("confirmed", 0, "none"))
        # both booked in the same (pinned) second: oldest first, then by id
        self.assertEqual([o["id"] for o in self.ag.run("printer", "queue", user=U).objs],
                         sorted([a["id"], b["id"]]))
        self.print_ok("print", a["id"], "a")
        self.assertEqual([o["id"] for o in self.ag.run("printer", "queue", user=U).objs],
                         [b["id"]])
        # the outcome is recorded by the print worker under the operator who asked
        with self.ag.sql() as db:
            actors = db.execute("SELECT actor FROM audit WHERE action = 'print' AND subject = ?",
                                (a["id"],)).fetchall()
        self.assertEqual(actors, [(U,)])

    def set_setting(self, key, value):
        db = sqlite3.connect(self.ag.db)
        try:
            with db:
                db.execute("INSERT OR REPLACE INTO setting(key, value) VALUES (?, ?)",
                           (key, value))
        finally:
            db.close()

    def test_printer_settings_choose_the_printer(self):
        # The device's printer_uri / printer_profile settings (read by the kiosk as well),
        # overridden by $AGENDA_PRINTER, overridden by --printer.
        b = self.ag.book("RM/2026/000004").json
        r = self.ag.ok("printer", "set", "--printer", self.virtual("setting"), "--profile",
                       "generic-58")
        self.assertEqual((r.json["printer_uri"], r.json["profile"]),
                         (self.virtual("setting"), "generic-58"))
        self.assertExit(self.ag.run("printer", "set", "--printer", "lpt:1"), 2, "usage")
        self.assertExit(self.ag.run("printer", "set", "--printer", "usb", "--profile", "x"), 2,
                        "usage")
        with self.ag.sql() as db:
            self.assertEqual(db.execute("SELECT count(*) FROM audit WHERE action = 'printer_set'")
                             .fetchone()[0], 1)
        r = self.ag.run("printer", "print", b["id"], user=U)
        self.assertExit(r, 0)
        self.assertEqual(r.json["printer"], self.virtual("setting"))
        with open(os.path.join(self.slips, "setting-1.txt"), encoding="utf-8") as f:
            widths = [len(line) for line in f.read().splitlines()]
        self.assertLessEqual(max(widths), 32)  # the 58 mm profile's 32 columns
        r = self.ag.run("printer", "reprint", b["id"], user=U,
                        env={"AGENDA_PRINTER": self.virtual("env")})
        self.assertExit(r, 0)
        self.assertTrue(os.path.exists(os.path.join(self.slips, "env-1.txt")))
        self.set_setting("printer_uri", "usb:04b8:0e28junk")
        r = self.ag.run("printer", "reprint", b["id"], user=U)
        self.assertExit(r, 2, "usage")
        self.assertIn("usb:04b8:0e28junk", r.json["message"])
        self.print_ok("reprint", b["id"], "option")

    def test_name_no_font_has_is_printed_with_a_warning(self):
        extra = os.path.join(self.folder, "extra.csv")
        with open(extra, "w", encoding="utf-8") as f:
            f.write(csv_text([("RM/2026/000020", "", "देवनागरी", "राम", "1990-01-02",
                                 "INDIA", "lavoro", "RM")]))
        self.ag.ok("practice", "import", extra)
        for pratica, missing in (("RM/2026/000001", 0), ("RM/2026/000020", 1)):
            b = self.ag.book(pratica).json
            r = self.ag.run("printer", "print", b["id"], "--printer",
                            self.virtual("g%d" % missing), user=U)
            self.assertExit(r, 0)
            self.assertEqual(r.json["missing_glyphs"] > 0, bool(missing), r)
            self.assertEqual("riquadri vuoti" in r.err, bool(missing), r)

    def test_tecnico_cannot_print_a_slip(self):
        b = self.ag.book("RM/2026/000001").json
        self.ag.add_operator("tecnico.uno", role="tecnico")
        r = self.ag.run("printer", "print", b["id"], "--printer", self.virtual("t"),
                        user="tecnico.uno")
        self.assertExit(r, 4, "refused")
        self.assertFalse(os.path.exists(os.path.join(self.slips, "t-1.png")))

    def test_cancelled_appointment_is_not_printed(self):
        b = self.ag.book("RM/2026/000001").json
        self.ag.ok("cancel", b["id"], "--reason", "rinuncia", user=U)
        r = self.ag.run("printer", "print", b["id"], "--printer", self.virtual("c"), user=U)
        self.assertExit(r, 4, "refused")

    def test_test_slip_needs_no_database(self):
        r = self.ag.run("printer", "test", "--printer", self.virtual("test"), db=False,
                        env={"AGENDA_DB": os.path.join(self.folder, "none.db")})
        self.assertExit(r, 0)
        with open(os.path.join(self.slips, "test-1.txt"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("àèéìòù ÀÈÉÌÒÙ €", text)
        self.assertFalse(os.path.exists(os.path.join(self.folder, "none.db")))

    def test_time_is_italian_when_tz_is_unset(self):
        # 4 May 2026, 22:30 UTC: a machine installed in UTC must still print 5 May, 00:30.
        r = self.ag.run("printer", "test", "--printer", self.virtual("tz"), db=False,
                        env={"TZ": None, "AGENDA_NOW": "@1777933800"})
        self.assertExit(r, 0)
        with open(os.path.join(self.slips, "tz-1.txt"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("martedì 5 maggio 2026", text)
        self.assertIn("ore 00:30", text)

    def test_mistyped_printer_is_a_usage_error(self):
        for uri in ("usb:04b8:0e28junk", "usb:+4b8:0e28", "tcp:host:0", "file:", "lpt1"):
            r = self.ag.run("printer", "status", "--printer", uri)
            self.assertExit(r, 2, "usage")
            self.assertIn("Indirizzo della stampante non valido: " + uri, r.json["message"])
        r = self.ag.run("printer", "test", "--printer", "virtual:" + "x" * 300, db=False)
        self.assertExit(r, 2, "usage")  # refused whole, not cut to 255 characters

    def test_status(self):
        r = self.ag.run("printer", "status", "--printer", self.virtual("s"))
        self.assertExit(r, 0)
        self.assertTrue(r.json["ready"])
        r = self.ag.run("printer", "status", "--printer", "file:/nonexistent/dir/lp")
        self.assertExit(r, 13, "printer")

    def test_list_finds_emulated_usb_printer(self):
        if not shutil.which("umockdev-run"):
            self.skipTest("umockdev-run not installed")
        dev = os.path.join(self.folder, "epson.umockdev")
        with open(dev, "w") as f:
            f.write(epson_umockdev())
        cmd = ["umockdev-run", "-d", dev, "--", self.ag.binary, "--json", "printer", "list"]
        # umockdev preloads itself first; a sanitizer build must accept that order
        asan = os.environ.get("ASAN_OPTIONS", "")
        env = self.ag.env({"ASAN_OPTIONS": (asan + ":" if asan else "")
                           + "verify_asan_link_order=0"})
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(r.returncode, 0, r)
        found = [line for line in r.stdout.splitlines() if line.startswith("{")]
        self.assertEqual(len(found), 1, r)
        self.assertIn('"uri":"usb:04b8:0e28"', found[0])
        self.assertIn('"profile":"tm-t20iii"', found[0])
        self.assertIn('"endpoint_out":1', found[0])


if __name__ == "__main__":
    main()
