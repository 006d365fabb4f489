#!/usr/bin/env python3
"""The real parts the browser tests drive: crisisline (demo data, SIP on its own ports, the built console)
and SIPp phones and callers, through tests/sip's harness. Speaks JSON lines: one ready line on stdout, then
one answer per command read from stdin.

    fixture.py DIST [--rtp-timeout-s N]                   (default 30: how long a silent caller lasts)
                    [--counsellor-media-timeout-s N]      (default 10: how long a silent counsellor's side
                                                          lasts before the caller is requeued)
                    [--turn]                              a real coturn on loopback (use-auth-secret) in
                                                          [turn] with relay_only = true: the browser phone's
                                                          media goes only through it
                    [--https]                             the console over HTTPS with a certificate from a
                                                          test CA made for this run; the ready line then
                                                          carries "spki", the certificate's public key hash

    {"cmd": "register", "user": "demo.counsellor", "ring_ms": 1500, "talk_ms": 90000, "send_seconds": 120,
     "fill": 85, "pt": 0}                                 -> the phone sends audio for send_seconds once
                                                             answered, then goes silent; with fill, that byte
                                                             over and over (PCMA unless pt says)
    {"cmd": "unregister", "user": "demo.counsellor"}     -> that user's last phone unregisters (and stays up)
    {"cmd": "call", "talk_ms": 60000, "digit": "2", "fill": 90, "pt": 8, "send_seconds": 10}
                                                          -> the call runs in the background; with fill, the
                                                             caller's audio is that byte over and over (a known
                                                             pattern); with send_seconds the caller goes silent
                                                             after that long; answers {"ok", "rtp_port"}
    {"cmd": "caller_stats"}                               -> the last call's RTP endpoint: what it received
    {"cmd": "wait_call"}                                  -> {"ok", "caller_received"} when it has ended
    {"cmd": "plaintext_in_storage", "text": "..."}        -> {"found": bool}: the text anywhere in the
                                                             database files, as bytes (it must not be)
    {"cmd": "probe_trunk", "ip": "127.0.0.2"}            -> {"admitted": bool}: a SIPp INVITE from ip for a
                                                             number that is no line's: 404 admitted, 403 refused
    {"cmd": "restart_server"}                            -> the server stops (SIGTERM) and starts again on the
                                                             same ports and data; browsers' sockets drop
    {"cmd": "quit"}
"""
import argparse
import glob
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import sip_harness as sh  # noqa: E402
import siptest  # noqa: E402


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


TURN_SECRET = "fictional-e2e-turn-secret-0123456789"


def start_coturn():
    """coturn on a free loopback port, as tests/integration/test_turn.py runs it; (process, port) once it answers."""
    port = harness.free_port()
    work = tempfile.mkdtemp(prefix="crisisline-e2e-turn-")
    log = open(os.path.join(work, "coturn.log"), "wb")
    proc = subprocess.Popen(
        [shutil.which("turnserver") or "turnserver", "-n", "--listening-ip=127.0.0.1", f"--listening-port={port}",
         "--relay-ip=127.0.0.1", "--min-port=49160", "--max-port=49400", "--use-auth-secret",
         f"--static-auth-secret={TURN_SECRET}", "--realm=crisisline.test", "--no-tls", "--no-dtls", "--no-tcp",
         "--no-cli", "--log-file=stdout", "--simple-log", "--allow-loopback-peers",
         f"--pidfile={work}/turnserver.pid", f"--db={work}/turndb"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("coturn exited at start: see " + os.path.join(work, "coturn.log"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.3)
            # A binding request: coturn answers STUN on its listening port once it is up.
            sock.sendto(struct.pack(">HHI", 0x0001, 0, 0x2112A442) + os.urandom(12), ("127.0.0.1", port))
            try:
                sock.recvfrom(2048)
                proc.work_dir = work  # removed when coturn stops
                return proc, port
            except OSError:
                continue
    raise RuntimeError("coturn did not answer")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("static_dir")
    parser.add_argument("--rtp-timeout-s", type=int, default=30)
    parser.add_argument("--counsellor-media-timeout-s", type=int, default=10)
    parser.add_argument("--https", action="store_true")
    parser.add_argument("--turn", action="store_true")
    # The server's media (and ICE) address; Firefox gathers no loopback candidates, so its suite puts the media
    # on the machine's own address.
    parser.add_argument("--media-address", default="127.0.0.1")
    args = parser.parse_args()
    coturn, extra_toml, files = None, "", {}
    if args.turn:
        coturn, turn_port = start_coturn()
        extra_toml = (f'\n[turn]\nurls = ["turn:127.0.0.1:{turn_port}?transport=udp"]\n'
                      'secret_file = "keys/turn.secret"\nrelay_only = true\n')
        files = {"keys/turn.secret": TURN_SECRET + "\n"}
    srv = siptest.SipServer(extra_args=["--static", args.static_dir],
                            telephony={"rtp_address": args.media_address, "rtp_timeout_s": args.rtp_timeout_s,
                                       "counsellor_media_timeout_s": args.counsellor_media_timeout_s},
                            tls=True if args.https else None, extra_toml=extra_toml, files=files)
    phones, calls = [], []
    phone_of = {}
    try:
        srv.start()
        ready = {"ready": True, "url": srv.server.url, "sip_port": srv.sip_port,
                 "passwords": srv.passwords, "data_dir": srv.server.data_dir, "rtp_ports": list(srv.rtp_ports),
                 "metrics_token": srv.server.metrics_token()}
        if args.https:
            ready["spki"] = harness.TestCA.spki_sha256(srv.server.tls_files[0])
        answer(ready)
        for line in sys.stdin:
            req = json.loads(line)
            cmd = req.get("cmd")
            try:
                if cmd == "register":
                    phones.append(srv.register(req["user"], ring_ms=req.get("ring_ms", 1500),
                                               talk_ms=req.get("talk_ms", 90000),
                                               send_seconds=req.get("send_seconds", 120), timeout_s=300,
                                               pt=req.get("pt", 8), fill=req.get("fill")))
                    phone_of[req["user"]] = phones[-1]
                    answer({"ok": True})
                elif cmd == "unregister":
                    srv.unregister(req["user"], phone_of[req["user"]])
                    answer({"ok": True})
                elif cmd == "call":
                    calls.append(srv.call(digit=req.get("digit", "2"), talk_ms=req.get("talk_ms", 60000),
                                          timeout_s=300, fill=req.get("fill"), pt=req.get("pt", 8),
                                          scenario=req.get("scenario", "caller.xml"),
                                          send_seconds=req.get("send_seconds")))
                    answer({"ok": True, "rtp_port": calls[-1].rtp.port if calls[-1].rtp else None})
                elif cmd == "caller_stats":
                    rtp = calls[-1].rtp
                    stats = rtp.stats()
                    answer({"ok": True, "received_audio": rtp.received_audio, "sent": stats["sent"],
                            "by_first_byte": {str(k): v for k, v in stats["by_first_byte"].items()},
                            "uniform": {str(k): v for k, v in stats["uniform"].items()}})
                elif cmd == "wait_call":
                    call = calls[-1]
                    result = call.wait(timeout=req.get("timeout", 300))
                    answer({"ok": result.ok, "caller_received": call.rtp.received_audio if call.rtp else 0,
                            "explain": "" if result.ok else result.explain()[-2000:]})
                elif cmd == "plaintext_in_storage":
                    needle = req["text"].encode()
                    found = []
                    for path in glob.glob(os.path.join(srv.server.data_dir, "crisisline.db*")):
                        with open(path, "rb") as f:
                            if needle in f.read():
                                found.append(os.path.basename(path))
                    answer({"found": bool(found), "files": found})
                elif cmd == "probe_trunk":
                    ip = req.get("ip", "127.0.0.2")
                    keys = {"number": "+441632960999", "caller_id": "01632960000",
                            "rtp_port": sh.free_rtp_port(ip), "media": "python", "talk_ms": 1000}
                    if sh.run_sipp("caller_expect_404.xml", srv.sip, keys, timeout_s=15, ip=ip).ok:
                        answer({"admitted": True})
                    elif sh.run_sipp("caller_expect_403.xml", srv.sip, dict(keys, rtp_port=sh.free_rtp_port(ip)),
                                     timeout_s=15, ip=ip).ok:
                        answer({"admitted": False})
                    else:
                        answer({"error": "the probe INVITE got neither 404 nor 403"})
                elif cmd == "restart_server":
                    srv.restart()
                    answer({"ok": True})
                elif cmd == "log_tail":
                    answer({"log": srv.log_tail(req.get("lines", 80))})
                elif cmd == "quit":
                    answer({"ok": True})
                    break
                else:
                    answer({"error": f"unknown command {cmd!r}"})
            except Exception as e:  # the test reads the error; the fixture keeps serving
                answer({"error": f"{type(e).__name__}: {e}"})
    finally:
        for c in calls:
            c.close()
        for p in phones:
            p.close()
        srv.close()
        if coturn:
            coturn.terminate()
            coturn.wait(timeout=10)
            shutil.rmtree(coturn.work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
