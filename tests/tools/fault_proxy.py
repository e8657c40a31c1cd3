#!/usr/bin/python3
"""fault_proxy.py — a TCP proxy that breaks the link between a device and central on purpose.

Issue 12 asks the sync tests to run through "a fault-injecting TCP proxy of your own": this is
it (Python 3 standard library only). It listens on 127.0.0.1:0, prints its port on the first
stdout line (like `agenda-central serve`), forwards every connection to --target and, per
connection, injects at most one fault drawn from a seeded RNG, so a failing run is repeatable:
  cut        close both sides after a random number of bytes, in a random direction;
  delay      hold one chunk for MS milliseconds, in a random direction;
  stall      stop forwarding one direction (bytes are held, never delivered) until a side gives up;
  replay     after the connection closes, send the client's exact bytes again on a new connection;
  duplicate  after it closes, send the client's bytes twice in one new connection.
With TLS the replayed bytes are a replay of the encrypted stream: the server must refuse it.
One log line per connection on stderr (fault and byte counts, never payload); on SIGTERM/SIGINT
the counts as one JSON line on stdout. As a module: Proxy(target, seed=..., cut=...).start().
Usage: fault_proxy.py --target HOST:PORT [--seed N] [--cut P] [--delay P:MS] [--stall P]
                      [--replay P] [--duplicate P] [--cut-max BYTES] [--stall-max SECONDS]
"""
import argparse
import json
import random
import signal
import socket
import sys
import threading
import time

FAULTS = ("cut", "delay", "stall", "replay", "duplicate")
CHUNK = 16384
REPLAY_READ_SECONDS = 3.0  # how long a replayed request waits for the target's answer


class _Link:
    """One proxied connection: the two sockets, the fault drawn for it, and its byte counts."""

    def __init__(self, index, client, target, fault, direction, limit):
        self.index, self.client, self.target = index, client, target
        self.fault, self.direction, self.limit = fault, direction, limit
        self.sent = {"c2s": 0, "s2c": 0}  # bytes forwarded in each direction
        self.client_bytes = bytearray()  # kept for replay/duplicate only
        self.fired = False  # a cut or stall whose byte count the traffic never reached did not
        self.closed = threading.Event()  # happen: the counts say what really happened
        self.lock = threading.Lock()

    def close(self):
        with self.lock:
            if self.closed.is_set():
                return
            self.closed.set()
        for s in (self.client, self.target):
            try:
                s.shutdown(socket.SHUT_RDWR)  # wakes the other pump's recv
            except OSError:
                pass
            s.close()


class Proxy:
    def __init__(self, target, seed=0, cut=0.0, delay=0.0, delay_ms=0, stall=0.0, replay=0.0,
                 duplicate=0.0, cut_max=8192, stall_max=60.0, log=sys.stderr, plan=None):
        self.target = target  # (host, port)
        self.seed = seed
        self.p = {"cut": cut, "delay": delay, "stall": stall, "replay": replay,
                  "duplicate": duplicate}
        self.delay_ms, self.cut_max, self.stall_max = delay_ms, cut_max, stall_max
        self.log = log
        # plan: {connection index: (fault, direction, byte count)} replaces the draw for those
        # connections, so a test can place one fault exactly (e.g. cut central's answer).
        self.plan = dict(plan or {})
        self.history = []  # per connection: (index, fault, direction, limit, sent, fired)
        self.counts = dict({"connections": 0}, **{f: 0 for f in FAULTS})
        self.lock = threading.Lock()
        self.links = set()
        self.threads = []
        self.listener = None
        self.port = None

    # -- the fault of one connection: a function of (seed, connection index) only --
    def draw(self, index):
        if index in self.plan:
            return self.plan[index]
        rng = random.Random("%s:%d" % (self.seed, index))
        rolls = [rng.random() for _ in FAULTS]  # always drawn, so one probability does not
        direction = rng.choice(("c2s", "s2c"))  # shift the others' draws
        limit = rng.randint(0, self.cut_max)
        for fault, roll in zip(FAULTS, rolls):
            if roll < self.p[fault]:
                return fault, direction, limit
        return None, direction, limit

    def start(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self._spawn(self._accept_loop)
        return self

    def stop(self):
        if self.listener:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
        with self.lock:
            links = list(self.links)
        for link in links:
            link.close()
        for t in list(self.threads):
            t.join(REPLAY_READ_SECONDS + 2)

    def summary(self):
        with self.lock:
            return dict(self.counts)

    def _spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        with self.lock:
            self.threads = [x for x in self.threads if x.is_alive()] + [t]
        t.start()

    def _accept_loop(self):
        index = 0
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            fault, direction, limit = self.draw(index)
            with self.lock:
                self.counts["connections"] += 1
            self._spawn(self._serve, index, client, fault, direction, limit)
            index += 1

    def _serve(self, index, client, fault, direction, limit):
        try:
            target = socket.create_connection(self.target, timeout=10)
            target.settimeout(None)
        except OSError:
            client.close()
            self._note(index, "target-unreachable", direction, 0, {"c2s": 0, "s2c": 0}, False)
            return
        link = _Link(index, client, target, fault, direction, limit)
        with self.lock:
            self.links.add(link)
        pumps = [threading.Thread(target=self._pump, args=(link, "c2s"), daemon=True),
                 threading.Thread(target=self._pump, args=(link, "s2c"), daemon=True)]
        for t in pumps:
            t.start()
        for t in pumps:
            t.join()
        link.close()
        with self.lock:
            self.links.discard(link)
        if fault in ("replay", "duplicate") and link.client_bytes:
            self._resend(bytes(link.client_bytes), 1 if fault == "replay" else 2)
            link.fired = True
        self._note(index, fault, direction, limit, link.sent, link.fired)

    def _note(self, index, fault, direction, limit, sent, fired):
        with self.lock:
            self.history.append((index, fault, direction, limit, dict(sent), fired))
        if fault in FAULTS and fired:
            with self.lock:
                self.counts[fault] += 1
        where = ""
        if fault in ("cut", "stall"):
            where = " dir=%s after=%d" % (direction, limit)
        elif fault == "delay":
            where = " dir=%s ms=%d" % (direction, self.delay_ms)
        if fault in FAULTS and not fired:
            where += " (not reached)"
        print("fault_proxy: conn %d fault=%s%s c2s=%d s2c=%d"
              % (index, fault or "none", where, sent["c2s"], sent["s2c"]),
              file=self.log, flush=True)

    def _pump(self, link, way):
        src, dst = (link.client, link.target) if way == "c2s" else (link.target, link.client)
        mine = link.direction == way
        held = False  # the delay holds one chunk only
        while not link.closed.is_set():
            try:
                data = src.recv(CHUNK)
            except OSError:
                break
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)  # pass the half-close on
                except OSError:
                    pass
                return
            if way == "c2s" and link.fault in ("replay", "duplicate"):
                link.client_bytes += data
            if mine and link.fault in ("cut", "stall"):
                room = link.limit - link.sent[way]
                if len(data) >= room + (1 if link.fault == "cut" else 0) or room <= 0:
                    link.fired = True
                    part = data[:max(room, 0)]
                    if part and not self._send(dst, part, link, way):
                        break
                    if link.fault == "cut":
                        break
                    self._stall(link, src)
                    break
            if mine and link.fault == "delay" and not held:
                held = link.fired = True
                time.sleep(self.delay_ms / 1000.0)
            if not self._send(dst, data, link, way):
                break
        link.close()

    def _send(self, dst, data, link, way):
        try:
            dst.sendall(data)
        except OSError:
            return False
        link.sent[way] += len(data)
        return True

    def _stall(self, link, src):
        """Hold this direction: keep reading (and dropping) what comes so the sender is not
        blocked by TCP, deliver nothing, not even an end of stream, until the other direction
        ends the connection or stall_max passes (a peer that gave up may only half-close)."""
        deadline = time.monotonic() + self.stall_max
        src.settimeout(0.2)
        while not link.closed.is_set() and time.monotonic() < deadline:
            try:
                if not src.recv(CHUNK):
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        link.closed.wait(max(0.0, deadline - time.monotonic()))

    def _resend(self, payload, times):
        """A replayed (times=1) or duplicated (times=2) request on a new connection; the answer
        is read and dropped, so the target finishes its work."""
        try:
            with socket.create_connection(self.target, timeout=REPLAY_READ_SECONDS) as s:
                for _ in range(times):
                    s.sendall(payload)
                deadline = time.monotonic() + REPLAY_READ_SECONDS
                while time.monotonic() < deadline:
                    if not s.recv(CHUNK):
                        break
        except OSError:
            pass


def _probability(text):
    p = float(text)
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError("a probability is between 0 and 1")
    return p


def main(argv):
    ap = argparse.ArgumentParser(description="TCP proxy that injects faults (issue 12)")
    ap.add_argument("--target", required=True, help="HOST:PORT to forward to")
    ap.add_argument("--seed", type=int, default=0)
    for fault in ("cut", "stall", "replay", "duplicate"):
        ap.add_argument("--" + fault, type=_probability, default=0.0)
    ap.add_argument("--delay", default="0:0", help="P:MS")
    ap.add_argument("--cut-max", type=int, default=8192, help="largest byte count for cut/stall")
    ap.add_argument("--stall-max", type=float, default=60.0, help="seconds a stall lasts at most")
    a = ap.parse_args(argv)
    host, _, port = a.target.rpartition(":")
    p_delay, _, ms = a.delay.partition(":")
    proxy = Proxy((host, int(port)), seed=a.seed, cut=a.cut, delay=_probability(p_delay),
                  delay_ms=int(ms or 0), stall=a.stall, replay=a.replay, duplicate=a.duplicate,
                  cut_max=a.cut_max, stall_max=a.stall_max).start()
    print(proxy.port, flush=True)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(1.0):
        pass
    proxy.stop()
    print(json.dumps(proxy.summary()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
