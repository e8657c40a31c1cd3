#!/usr/bin/python3
"""fault_proxy_test.py — the fault proxy does what it says, against local servers on loopback.

Checked: no fault forwards 1 MiB byte-exact both ways (echo server); a cut delivers fewer bytes
than were sent, in the direction drawn, and closes both sides; a delay holds the first chunk at
least MS; a stall makes the client's read time out; a replay makes the target see the same
bytes twice (two connections), a duplicate the bytes twice in one connection; the same seed
draws the same faults; the command line prints its port, then the counts as JSON on SIGTERM.
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_proxy import Proxy  # noqa: E402

MIB = 1 << 20
TIMEOUT = 20


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


class Target:
    """An echo server that also records what each connection received."""

    def __init__(self, echo=True):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.echo, self.received, self.lock = echo, [], threading.Lock()
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(c,), daemon=True).start()

    def _one(self, c):
        got = bytearray()
        with c:
            c.settimeout(TIMEOUT)
            try:
                while True:
                    data = c.recv(65536)
                    if not data:
                        break
                    got += data
                    if self.echo:
                        c.sendall(data)
            except OSError:
                pass
        with self.lock:
            self.received.append(bytes(got))

    def wait_connections(self, n):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= n:
                    return list(self.received)
            time.sleep(0.05)
        return list(self.received)

    def stop(self):
        self.sock.close()


def exchange(port, payload, read_timeout=TIMEOUT):
    """Send payload (while reading), half-close, read until EOF. Returns (bytes read, error)."""
    got = bytearray()
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    err = None

    def reader():
        nonlocal err
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    return
                got.extend(data)
        except OSError as e:
            err = e

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
    except OSError as e:
        err = err or e
    t.join(read_timeout + 5)
    s.close()
    return bytes(got), err


def seed_with(proxy_args, fault, direction, start=0):
    """The first seed whose connection 0 draws this fault in this direction."""
    for seed in range(start, start + 10000):
        f, d, _ = Proxy(("127.0.0.1", 1), seed=seed, **proxy_args).draw(0)
        if f == fault and (direction is None or d == direction):
            return seed
    raise AssertionError("no seed draws %s %s" % (fault, direction))


def run(target, **kw):
    return Proxy(("127.0.0.1", target.port), log=sys.stdout, **kw).start()


def test_no_fault(target):
    payload = os.urandom(MIB)
    proxy = run(target, seed=1)
    got, err = exchange(proxy.port, payload)
    proxy.stop()
    check(err is None and got == payload, "no fault: 1 MiB forwarded byte-exact to the target "
          "and back")
    check(target.wait_connections(1)[-1] == payload, "the target received the exact 1 MiB")
    check(proxy.summary() == {"connections": 1, "cut": 0, "delay": 0, "stall": 0,
                              "replay": 0, "duplicate": 0}, "counts: one connection, no fault")


def test_cut(target, direction):
    args = {"cut": 0.5, "cut_max": 4096}
    seed = seed_with(args, "cut", direction)
    proxy = run(target, seed=seed, **args)
    limit = proxy.draw(0)[2]
    before = len(target.received)
    payload = os.urandom(64 * 1024)
    got, _ = exchange(proxy.port, payload, read_timeout=5)
    proxy.stop()
    seen = target.wait_connections(before + 1)[before]
    if direction == "c2s":
        check(len(seen) == limit < len(payload) and seen == payload[:limit],
              "cut c2s (seed %d): the target got exactly the first %d of %d bytes"
              % (seed, limit, len(payload)))
    else:
        check(len(got) == limit < len(seen) and got == payload[:limit],
              "cut s2c (seed %d): the client got exactly the first %d bytes of the %d echoed"
              % (seed, limit, len(seen)))
    check(proxy.summary()["cut"] == 1, "counts: cut 1")


def test_delay(target):
    args = {"delay": 1.0, "delay_ms": 400}
    for direction in ("c2s", "s2c"):
        seed = seed_with(args, "delay", direction)
        proxy = run(target, seed=seed, **args)
        start = time.monotonic()
        got, err = exchange(proxy.port, b"ping" * 100)
        took = time.monotonic() - start
        proxy.stop()
        check(err is None and got == b"ping" * 100 and took >= 0.4,
              "delay %s 400 ms: bytes intact, round trip took %.0f ms" % (direction, took * 1000))
        check(proxy.summary()["delay"] == 1, "counts: delay 1")


def test_stall(target):
    args = {"stall": 1.0, "cut_max": 100}
    for direction in ("c2s", "s2c"):
        seed = seed_with(args, "stall", direction)
        proxy = run(target, seed=seed, stall_max=10, **args)
        start = time.monotonic()
        got, err = exchange(proxy.port, os.urandom(4096), read_timeout=1.0)
        took = time.monotonic() - start
        proxy.stop()
        check(isinstance(err, socket.timeout) and len(got) <= 100 and 0.9 <= took < 5,
              "stall %s: the client's read timed out after %.1f s with %d bytes"
              % (direction, took, len(got)))
        check(proxy.summary()["stall"] == 1, "counts: stall 1")


def test_replay_and_duplicate():
    recorder = Target(echo=False)
    try:
        proxy = run(recorder, seed=seed_with({"replay": 0.5}, "replay", None), replay=0.5)
        payload = b"POST /v1/enrol HTTP/1.1\r\n\r\n" + os.urandom(3000)
        exchange(proxy.port, payload, read_timeout=5)
        seen = recorder.wait_connections(2)
        proxy.stop()
        check(seen[:2] == [payload, payload],
              "replay: the target saw the same bytes twice, on two connections")
        check(proxy.summary()["replay"] == 1, "counts: replay 1")
        proxy = run(recorder, seed=seed_with({"duplicate": 0.5}, "duplicate", None),
                    duplicate=0.5)
        exchange(proxy.port, payload, read_timeout=5)
        seen = recorder.wait_connections(4)
        proxy.stop()
        check(seen[2:4] == [payload, payload + payload],
              "duplicate: a new connection carried the client's bytes twice")
        check(proxy.summary()["duplicate"] == 1, "counts: duplicate 1")
    finally:
        recorder.stop()


def test_seed_repeats():
    kw = dict(cut=0.2, delay=0.2, delay_ms=5, stall=0.2, replay=0.2, duplicate=0.1)
    draws = [[Proxy(("127.0.0.1", 1), seed=s, **kw).draw(i) for i in range(50)] for s in (7, 7)]
    other = [Proxy(("127.0.0.1", 1), seed=8, **kw).draw(i) for i in range(50)]
    faults = {d[0] for d in draws[0]}
    check(draws[0] == draws[1] and draws[0] != other and len(faults) >= 5,
          "the same seed draws the same faults, another seed others (%s)"
          % sorted(f or "none" for f in faults))


def test_command_line(target):
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fault_proxy.py")
    proc = subprocess.Popen([sys.executable, tool, "--target", "127.0.0.1:%d" % target.port,
                             "--seed", "3", "--delay", "1:10"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
        check(ready, "the command line printed its port")
        port = int(proc.stdout.readline())
        for _ in range(3):
            got, err = exchange(port, b"hello")
            check(got == b"hello", "forwarded through the command line proxy")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    counts = json.loads(out.strip().splitlines()[-1])
    check(proc.returncode == 0 and counts["connections"] == 3 and counts["delay"] == 3,
          "on SIGTERM: counts as one JSON line %s" % json.dumps(counts))
    lines = [line for line in err.splitlines() if line.startswith("fault_proxy: conn")]
    check(len(lines) == 3 and all("fault=delay" in line for line in lines)
          and "hello" not in err, "one log line per connection, no payload")


def main():
    start = time.monotonic()
    target = Target()
    try:
        test_no_fault(target)
        test_cut(target, "c2s")
        test_cut(target, "s2c")
        test_delay(target)
        test_stall(target)
        test_replay_and_duplicate()
        test_seed_repeats()
        test_command_line(target)
    finally:
        target.stop()
    print("all fault proxy checks passed in %.1f s" % (time.monotonic() - start))


if __name__ == "__main__":
    main()
