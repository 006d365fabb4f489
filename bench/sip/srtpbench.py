#!/usr/bin/env python3
"""SRTP on both legs, end to end: N concurrent bridged calls whose carrier leg and desk-phone leg are both SRTP
(SDES, AES_CM_128_HMAC_SHA1_80) over SIP over TLS, then the same N with plain RTP over UDP in the same session,
for the cost of SRTP. Run by `bench/sip/run srtp --calls N --hold S --ramp R`.

The method is telbench.py's (b), reused rather than copied (telbench.one_concurrent(..., secure=True)): the
server on CPU 1, simsip.py and build/bench/rtp_load on CPU 0. Secure run: the server gets tls_listen and a test
certificate (harness.TestCA), the trunk `encryption = "required"`; the callers place their calls on one TLS
connection, offering RTP/SAVP with a fresh a=crypto key per call; each phone registers on a TLS connection of
its own, with an account whose encryption is "required" (a template of its own, made once from telbench's by
reissuing every account through PUT /api/v1/staff/{id}/sip-account), and answers the server's a=crypto offer with
a fresh key; the keys of both legs go to rtp_load (`srtp ID SEND RECV SUITE`), which protects what each endpoint
sends and unprotects what it receives. Delivered = authenticated and carrying the expected marker.

  srtpbench.py --binary B --rtp-load R calls --calls 1000 --hold 60 --ramp 50 [--no-plain]
"""
import argparse
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import telbench  # noqa: E402  (puts tests/integration and tests/sip on the path)

log = telbench.log


def secure_template(args, plain_meta):
    """A copy of telbench's template whose first args.counsellors phone accounts require encryption (cached)."""
    tpl = args.secure_template
    meta_path = os.path.join(tpl, "bench.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if len(meta["phones"]) >= args.counsellors and meta.get("binary") == args.binary:
            log(f"secure template {tpl}: {len(meta['phones'])} accounts with encryption required (cached)")
            return meta
    shutil.rmtree(tpl, ignore_errors=True)
    shutil.copytree(args.template, tpl)
    os.remove(meta_path)  # the plain template's; this one's is written only once every account is reissued
    telbench.write_telephony(tpl, telbench.free_port(), 0)
    server = telbench.Server(args.binary, tpl, pin=False).start()
    phones = {}
    try:
        try:
            server.sign_in("demo.admin", plain_meta["admin_password"], plain_meta["admin_totp"])
        except RuntimeError as e:  # this period's TOTP code was used (the template was made moments ago)
            if "totp_code" not in str(e):
                raise
            time.sleep(30.5 - time.time() % 30)
            server.sign_in("demo.admin", plain_meta["admin_password"], plain_meta["admin_totp"])
        status, staff, _ = server.http("GET", "/api/v1/staff")
        if status != 200:
            raise RuntimeError(f"GET /api/v1/staff: {status} {staff}")
        rows = staff.get("staff", staff) if isinstance(staff, dict) else staff
        ids = {row["username"]: row["id"] for row in rows}
        users = sorted(plain_meta["phones"])[:args.counsellors]
        t0 = time.time()
        for i, user in enumerate(users, 1):
            status, reply, _ = server.http("PUT", f"/api/v1/staff/{ids[user]}/sip-account",
                                           {"sip_username": user, "encryption": "required"})
            if status != 200 or reply.get("encryption") != "required":
                raise RuntimeError(f"sip-account {user}: {status} {reply}")
            phones[user] = reply["password"]
            if i % 200 == 0:
                log(f"secure template: {i} accounts reissued ({time.time() - t0:.0f} s)")
    finally:
        server.stop()
    meta = dict(plain_meta, phones=phones, binary=args.binary)
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    os.remove(os.path.join(tpl, "server.log"))
    return meta


def directions(report):
    """Delivered per direction from rtp_load's per-flow report: even flows are callers', odd ones phones'."""
    out = {}
    for name, parity in (("caller_to_phone", 0), ("phone_to_caller", 1)):
        flows = [f for f in report.get("per_flow", []) if f["id"] % 2 == parity]
        sent = sum(f["sent"] for f in flows)
        received = sum(min(f["received"], f["sent"]) for f in flows)
        out[name] = {"sent": sent, "delivered": received,
                     "delivered_pct": round(100.0 * received / sent, 4) if sent else None,
                     "flows_with_loss": sum(1 for f in flows if f["received"] < f["sent"])}
    return out


def summarise(result):
    """The figures the docs table needs, from telbench.one_concurrent's result (per_flow dropped)."""
    rtp = result.get("rtp") or {}
    result["directions"] = directions(rtp)
    rtp.pop("per_flow", None)
    return result


def table(results):
    print("\n| run | calls | bridged | dropped | caller→phone delivered | phone→caller delivered | delay p50 ms | p99 ms "
          "| max ms | SRTP auth failures (rtp_load / server) | server CPU % (hold) | KiB per call | load avg (hold) |")
    print("|---|---:|---:|---:|---|---|---:|---:|---:|---|---:|---:|---|")
    for r in results:
        rtp = r.get("rtp") or {}
        d = rtp.get("delay_us") or {}
        ways = r["directions"]
        srtp = (rtp.get("srtp") or {}).get("window") or {}
        server_auth = sum(v for k, v in (r.get("server_srtp_hold") or {}).items() if 'reason="auth"' in k)
        auth = f"{srtp.get('auth_failures', 0)} / {server_auth}" if r["secure"] else "—"
        way = lambda w: f"{w['delivered']:,} of {w['sent']:,} ({w['delivered_pct']} %)"  # noqa: E731
        print(f"| {'SRTP (TLS)' if r['secure'] else 'plain (UDP)'} | {r['calls']} | {r['bridged']} | {r['dropped']} "
              f"| {way(ways['caller_to_phone'])} | {way(ways['phone_to_caller'])} | {d.get('p50', 0) / 1000:.2f} "
              f"| {d.get('p99', 0) / 1000:.2f} | {d.get('max', 0) / 1000:.2f} | {auth} | {r['server_cpu_pct_hold']} "
              f"| {r['kib_per_call']} | {r['loadavg_hold'][0]} -> {r['loadavg_hold'][1]} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(telbench.ROOT, "build", "apps", "crisisline", "crisisline"))
    ap.add_argument("--rtp-load", default=os.path.join(telbench.ROOT, "build", "bench", "rtp_load"))
    ap.add_argument("--template", default="/tmp/crisisline-telbench-template", help="telbench's (plain) template")
    ap.add_argument("--secure-template", default="/tmp/crisisline-srtpbench-template")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--media-sockets", type=int)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("calls")
    c.add_argument("--calls", default="100")
    c.add_argument("--hold", type=float, default=60)
    c.add_argument("--ramp", type=float, default=50, help="calls placed per second while ramping up")
    c.add_argument("--rtp-sockets", type=int, default=256, help="local RTP ports per side shared by the flows")
    c.add_argument("--rtp-base", type=int, default=40000)
    c.add_argument("--ring-s", type=float, default=0.0)
    c.add_argument("--no-plain", action="store_true", help="skip the plain-RTP run of the same N")
    args = ap.parse_args()
    args.per_flow = True  # delivery per direction
    telbench.MEDIA_SOCKETS = args.media_sockets
    os.sched_setaffinity(0, {int(telbench.LOAD_CPU)})
    args.binary = os.path.abspath(args.binary)
    for path in (args.binary, args.rtp_load):
        if not os.path.exists(path):
            sys.exit(f"srtpbench: no {path}")
    plain_meta = telbench.setup(argparse.Namespace(**{**vars(args), "counsellors": 0, "force": False}))
    calls = [int(x) for x in args.calls.split(",")]
    args.counsellors = len(plain_meta["phones"])  # every account (a spare one is probed over UDP)
    if max(calls) >= args.counsellors:
        sys.exit(f"srtpbench: {max(calls)} calls need more than {args.counsellors} counsellors (COUNSELLORS=...)")
    secure_meta = secure_template(args, plain_meta)
    results = []
    for n in calls:
        secure_args = argparse.Namespace(**{**vars(args), "template": args.secure_template})
        log(f"SRTP run: {n} calls, both legs SRTP over SIP over TLS")
        results.append(summarise(telbench.one_concurrent(secure_args, secure_meta, n, secure=True)))
        print(json.dumps(results[-1]), flush=True)
        if not args.no_plain:
            log(f"plain run: {n} calls, RTP over UDP (the cost comparison)")
            results.append(summarise(telbench.one_concurrent(args, plain_meta, n)))
            print(json.dumps(results[-1]), flush=True)
    table(results)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
