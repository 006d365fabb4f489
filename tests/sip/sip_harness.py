"""SIP test harness: SIPp callers and phones, a Python RTP endpoint, baresip, against the crisisline server.

Standard library only. SIPp does the signalling (scenarios in scenarios/); RTP is counted by RtpEndpoint,
a small Python UDP socket, because SIPp 3.6.1 keeps no usable count of the RTP it receives (see README.md).

Typical end-to-end use (the server from tests/integration/harness.py, started with --sip-listen):

    sip = ("127.0.0.1", sip_port)
    phone = register_phone(sip, "demo.counsellor", passwords["demo.counsellor"])
    call = place_call(sip, "+448081570000", digit="2", talk_ms=8000)
    assert call.wait().ok and phone.wait().ok
    assert call.rtp.received_audio > 0 and phone.rtp.received_audio > 0   # audio both ways
"""
import os
import random
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "scenarios")
SIPP = os.environ.get("SIPP", "sipp")
BARESIP = os.environ.get("BARESIP", "baresip")
PCAP_DIR = os.environ.get("SIPP_PCAP_DIR", "/usr/share/sip-tester")
DEMO_NUMBER = "+448081570000"

# SIPp's exit codes (sipp -h): 0 all calls succeeded, 1 at least one failed, 97 exit on internal command,
# 99 normal exit without calls processed, 255 (-1) fatal error, 254 (-2) fatal error binding a socket.
SIPP_EXIT = {0: "all calls succeeded", 1: "at least one call failed", 97: "exit on internal command",
             99: "no call processed", 255: "fatal error", 254: "fatal error binding a socket"}


def sipp_available():
    return shutil.which(SIPP) is not None


def baresip_available():
    return shutil.which(BARESIP) is not None


def _bindable(host, port, kinds):
    """True when `port` on host can be bound now for every socket kind in `kinds`."""
    try:
        for kind in kinds:
            with socket.socket(socket.AF_INET, kind) as s:
                s.bind((host, port))
        return True
    except OSError:
        return False


def free_port(host="127.0.0.1", kinds=(socket.SOCK_DGRAM, socket.SOCK_STREAM)):
    """A port that is free for UDP and TCP on host right now (SIPp binds both for -t ui/t1 choices)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        if _bindable(host, port, kinds):
            return port
    raise RuntimeError("no free port")


def free_listen_port(host="127.0.0.1", kinds=(socket.SOCK_DGRAM, socket.SOCK_STREAM)):
    """A port free for UDP and TCP now, below the ephemeral range: for a peer the test starts listening on later
    (a carrier's server), which no other process's outgoing connection or port-0 socket can take meanwhile, as
    one from free_port() can (seen under ctest -j2: "Address already in use")."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral_low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    # Above the RTP blocks (siptest.rtp_port_range: 10000-29999), below the ephemeral range.
    low, high = max(30000, ephemeral_low - 2700), ephemeral_low - 1
    if high < low:
        return free_port(host, kinds)  # an unusual ephemeral range: nothing to stay below
    rng = random.Random(os.getpid() * 104729 + time.monotonic_ns())
    for _ in range(200):
        port = rng.randint(low, high)
        if _bindable(host, port, kinds):
            return port
    raise RuntimeError("no free listening port below the ephemeral range")


def free_port_pair(host="127.0.0.1"):
    """A port p free for UDP and TCP with p + 1 free for TCP too (baresip binds SIP/TLS on p + 1)."""
    for _ in range(100):
        port = free_port(host)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind((host, port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def free_rtp_port(host="127.0.0.1", count=4):
    """An even UDP port with the next count - 1 free too: RTCP (+1), and SIPp's video RTP/RTCP (+2, +3),
    which SIPp binds next to every -mp port."""
    for _ in range(100):
        port = free_port(host, kinds=(socket.SOCK_DGRAM,))
        port -= port % 2
        try:
            for p in range(port, port + count):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind((host, p))
            return port
        except OSError:
            continue
    raise RuntimeError("no free RTP port")


# ---------------------------------------------------------------------------------------------------------
# Output of the crisisline command line. Kept in one place: the exact wording may still change.

SIP_PASSWORD_LINE = re.compile(r"SIP password", re.IGNORECASE)


def parse_sip_passwords(text, usernames=None):
    """{sip username: password} from the output of `init --demo` or `staff sip-account`.

    Looks at every line that mentions "SIP password"; the password is the last whitespace-separated token
    on it (stripped of quotes/brackets/punctuation), the username is a known username on the line (if
    usernames is given) or else the first token that looks like a user name (contains a dot or is followed
    by a colon). `staff sip-account` prints only "SIP password (shown once): <pw>"; its username is the
    one passed in, so give usernames=[that one] and it is taken even when the line does not repeat it.
    """
    found = {}
    for line in text.splitlines():
        if not SIP_PASSWORD_LINE.search(line):
            continue
        tokens = line.replace("\t", " ").split()
        if not tokens:
            continue
        password = tokens[-1].strip("'\"`<>[](),;")
        user = None
        for name in usernames or ():
            if re.search(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", line):
                user = name
                break
        if user is None and usernames and len(usernames) == 1:
            user = usernames[0]
        named = re.search(r"\buser\s+([\w.-]+)", line)
        if user is None and named:
            user = named.group(1)
        if user is None:
            for token in tokens[:-1]:
                candidate = token.strip("'\"`<>[](),;:")
                if candidate.lower() in ("sip", "password", "shown", "once", "(shown", "once):"):
                    continue
                if "." in candidate or token.endswith(":"):
                    user = candidate
                    break
        if user:
            found[user] = password
    return found


def telephony_config(sip_port, allow=("127.0.0.1",), choice_wait_s=4, username="", password="",
                     rtp_address="127.0.0.1", realm="crisisline", trunk_name="test-carrier"):
    """The [telephony] TOML section for crisisline.toml (append it to the data dir's file)."""
    allow_list = ", ".join(f'"{a}"' for a in allow)
    return (f'\n[telephony]\nlisten = "127.0.0.1:{sip_port}"\nrtp_address = "{rtp_address}"\n'
            f'realm = "{realm}"\nchoice_wait_s = {choice_wait_s}\n\n[[telephony.trunk]]\n'
            f'name = "{trunk_name}"\nallow = [{allow_list}]\nusername = "{username}"\n'
            f'password = "{password}"\n')


# ---------------------------------------------------------------------------------------------------------
# SIPp processes

class SippResult:
    def __init__(self, returncode, stdout, stderr, errors, logs, messages, timed_out):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.errors = errors        # -trace_err: unexpected messages
        self.logs = logs            # -trace_logs: the scenarios' <log> lines (ANSWERED/INVITE/...)
        self.messages = messages    # -trace_msg: every message sent and received
        self.timed_out = timed_out

    @property
    def ok(self):
        return self.returncode == 0 and not self.timed_out

    def explain(self):
        what = SIPP_EXIT.get(self.returncode, "?")
        return (f"sipp exit {self.returncode} ({what}){' TIMED OUT' if self.timed_out else ''}\n"
                f"--- stderr\n{self.stderr[-3000:]}\n--- errors\n{self.errors[-3000:]}\n"
                f"--- messages (tail)\n{self.messages[-6000:]}")


class Sipp:
    """One SIPp process running one scenario once (-m 1 -l 1), traced into its own temp directory."""

    def __init__(self, scenario, remote=None, keys=None, local_port=None, media_port=None, extra_args=(),
                 auth=None, transport="u1", timeout_s=60, ip="127.0.0.1"):
        # "builtin:uas" runs one of SIPp's embedded scenarios (-sn uas)
        if scenario.startswith("builtin:") or os.path.isabs(scenario):
            self.scenario = scenario
        else:
            self.scenario = os.path.join(SCENARIOS, scenario)
        self.remote = remote
        self.keys = dict(keys or {})
        self.local_port = local_port or free_port(ip)
        self.media_port = media_port or free_rtp_port(ip)
        self._fixed_local = local_port is not None
        self._fixed_media = media_port is not None
        self.extra_args = list(extra_args)
        self.auth = auth
        self.transport = transport
        self.timeout_s = timeout_s
        self.ip = ip
        self.dir = tempfile.mkdtemp(prefix="crisisline-sipp-")
        self.proc = None
        self.result = None
        self.started = None

    def path(self, name):
        return os.path.join(self.dir, name)

    def command(self):
        if self.scenario.startswith("builtin:"):
            which = ["-sn", self.scenario.split(":", 1)[1]]
        else:
            which = ["-sf", self.scenario]
        cmd = [SIPP, *which, "-i", self.ip, "-p", str(self.local_port), "-mi", self.ip,
               "-mp", str(self.media_port), "-t", self.transport, "-m", "1", "-l", "1", "-nostdin",
               "-timeout", f"{self.timeout_s}s", "-timeout_error",
               "-trace_err", "-error_file", self.path("errors.log"),
               "-trace_logs", "-log_file", self.path("logs.log"),
               "-trace_msg", "-message_file", self.path("messages.log"),
               "-trace_stat", "-stf", self.path("stat.csv"),
               "-trace_screen", "-screen_file", self.path("screen.log")]
        if self.auth:
            cmd += ["-au", self.auth[0], "-ap", self.auth[1]]
            if "number" in self.keys and isinstance(self.remote, tuple):
                # A digest answer must name the Request-URI (RFC 3261 22.4); SIPp's default is remote_ip:port.
                cmd += ["-auth_uri", f"{self.keys['number']}@{self.remote[0]}:{self.remote[1]}"]
        for key, value in self.keys.items():
            cmd += ["-key", key, str(value)]
        cmd += self.extra_args
        if self.remote:
            cmd.append(f"{self.remote[0]}:{self.remote[1]}" if isinstance(self.remote, tuple) else self.remote)
        return cmd

    def start(self, bind_retries=3):
        """Start SIPp. Ports are picked free but may be taken by a parallel test before SIPp binds them:
        SIPp then exits at once with 254 (before sending anything), and is started again on other ports
        (those the caller did not fix)."""
        for attempt in range(bind_retries + 1):
            self.started = time.monotonic()
            self.stdout_file = open(self.path("stdout.txt"), "wb")
            self.stderr_file = open(self.path("stderr.txt"), "wb")
            self.proc = subprocess.Popen(self.command(), cwd=self.dir, stdin=subprocess.DEVNULL,
                                         stdout=self.stdout_file, stderr=self.stderr_file)
            if attempt == bind_retries or (self._fixed_local and self._fixed_media):
                break
            try:
                code = self.proc.wait(timeout=0.15)
            except subprocess.TimeoutExpired:
                break
            if code != 254:
                break
            self.stdout_file.close()
            self.stderr_file.close()
            if not self._fixed_local:
                self.local_port = free_port(self.ip)
            if not self._fixed_media:
                self.media_port = free_rtp_port(self.ip)
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def read(self, name):
        try:
            with open(self.path(name), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_lines(self, prefix):
        """The scenario's <log> lines starting with prefix, e.g. "ANSWERED" (SIPp flushes each line)."""
        out = []
        for line in self.read("logs.log").splitlines():
            idx = line.find(prefix)
            if idx >= 0:
                out.append(line[idx:])
        return out

    def wait_log(self, prefix, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.log_lines(prefix)
            if lines:
                return lines[-1]
            if not self.running():
                lines = self.log_lines(prefix)
                return lines[-1] if lines else None
            time.sleep(0.05)
        return None

    def remote_rtp(self, prefix, timeout=10):
        """(ip, port) logged by the scenario as remote_rtp=IP:PORT in the line starting with prefix."""
        line = self.wait_log(prefix, timeout)
        if not line:
            return None
        m = re.search(r"remote_rtp=([0-9.]+):(\d+)", line)
        return (m.group(1), int(m.group(2))) if m else None

    def wait(self, timeout=None):
        """Wait for SIPp to end (killing it after timeout, default its own -timeout + 10 s)."""
        if self.result is not None:
            return self.result
        timed_out = False
        try:
            self.proc.wait(timeout=timeout if timeout is not None else self.timeout_s + 10)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.proc.kill()
            self.proc.wait()
        self.stdout_file.close()
        self.stderr_file.close()
        self.result = SippResult(self.proc.returncode, self.read("stdout.txt"), self.read("stderr.txt"),
                                 self.read("errors.log"), self.read("logs.log"), self.read("messages.log"),
                                 timed_out)
        return self.result

    def stop(self):
        if self.running():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.result is None and self.proc is not None:
            return self.wait(timeout=5)
        return self.result

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_sipp(scenario, remote=None, keys=None, timeout_s=60, **kwargs):
    """Run a scenario to its end; returns the SippResult."""
    sipp = Sipp(scenario, remote, keys, timeout_s=timeout_s, **kwargs).start()
    try:
        return sipp.wait()
    finally:
        sipp.cleanup()


# ---------------------------------------------------------------------------------------------------------
# RTP: pcap payloads and a counting endpoint

def pcap_rtp_packets(path):
    """[(seconds since first packet, RTP packet bytes)] from a classic pcap of IPv4/UDP RTP.

    Handles the link types SIPp's own pcaps use (Ethernet, Linux cooked, raw IPv4, null/loopback)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    nanos = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    link_len = {1: 14, 113: 16, 101: 0, 228: 0, 0: 4, 109: 12}.get(linktype)
    if link_len is None:
        raise ValueError(f"{path}: unsupported pcap link type {linktype}")
    out, offset, first = [], 24, None
    while offset + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[offset:offset + 16])
        frame = data[offset + 16:offset + 16 + incl]
        offset += 16 + incl
        ts = sec + frac / (1e9 if nanos else 1e6)
        ip = frame[link_len:]
        if linktype == 1 and frame[12:14] == b"\x81\x00":  # VLAN tag
            ip = frame[18:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 0x0F) * 4
        udp = ip[ihl:]
        payload = udp[8:struct.unpack("!H", udp[4:6])[0]]
        if len(payload) < 12 or payload[0] >> 6 != 2:
            continue
        first = ts if first is None else first
        out.append((ts - first, payload))
    return out


def dtmf_pcap(digit):
    names = {"*": "star", "#": "pound"}
    return os.path.join(PCAP_DIR, f"dtmf_2833_{names.get(str(digit), digit)}.pcap")


class RtpEndpoint:
    """One UDP socket that sends and counts RTP (symmetric: it sends from the port it receives on).

    Counts received packets by payload type; decodes RFC 4733 telephone-events (any payload type whose
    packets are 4 bytes, or the one given as te_pt). Sends either a PCMA/PCMU tone generated here or the
    payloads of a pcap (g711a.pcap, dtmf_2833_N.pcap) re-stamped with its own SSRC/sequence/timestamps.
    The target is set explicitly (set_target) or latched on the source of the first packet received.
    """

    def __init__(self, host="127.0.0.1", port=None, te_pt=101, echo=False, fill=None):
        self.host = host
        self.fill = fill            # send_tone's payload byte (None: G.711 silence); tells streams apart
        self.port = port or free_rtp_port(host)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, self.port))
        self.sock.settimeout(0.2)
        self.te_pt = te_pt
        self.echo = echo
        self.target = None
        self.lock = threading.Lock()
        self.received = {}          # payload type -> packets
        self.by_first_byte = {}     # audio packets by their payload's first byte (see fill)
        self.uniform = {}           # audio packets whose whole payload is one byte repeated, by that byte
        self.sources = set()
        self.events = []            # RFC 4733 events seen (digit strings), one per event end
        self.sent = 0
        self.first_rx = None
        self.last_rx = None
        self._last_event_ts = None
        self._stop = threading.Event()
        self._seq = 1000
        self._ts = 8000
        self._ssrc = int.from_bytes(os.urandom(4), "big")
        self._rx = threading.Thread(target=self._receive, daemon=True)
        self._rx.start()
        self._tx = None

    # -- receiving
    def _receive(self):
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(data) < 12 or data[0] >> 6 != 2:
                continue
            pt = data[1] & 0x7F
            now = time.monotonic()
            with self.lock:
                self.received[pt] = self.received.get(pt, 0) + 1
                if pt != self.te_pt and pt < 35 and len(data) > 12 + 4 * (data[0] & 0x0F):
                    payload = data[12 + 4 * (data[0] & 0x0F):]
                    first = payload[0]
                    self.by_first_byte[first] = self.by_first_byte.get(first, 0) + 1
                    if payload.count(first) == len(payload):
                        self.uniform[first] = self.uniform.get(first, 0) + 1
                self.sources.add(addr)
                self.first_rx = self.first_rx or now
                self.last_rx = now
                if self.target is None:
                    self.target = addr
                if pt == self.te_pt and len(data) >= 16:
                    event, flags = data[12], data[13]
                    ts = struct.unpack("!I", data[4:8])[0]
                    if flags & 0x80 and ts != self._last_event_ts:
                        self._last_event_ts = ts
                        self.events.append("0123456789*#ABCD"[event] if event < 16 else str(event))
            if self.echo:
                try:
                    self.sock.sendto(data, addr)
                except OSError:
                    pass

    @property
    def received_total(self):
        with self.lock:
            return sum(self.received.values())

    @property
    def received_audio(self):
        """Packets with an audio payload type (0-34 static audio/video types, i.e. not telephone-event)."""
        with self.lock:
            return sum(n for pt, n in self.received.items() if pt != self.te_pt and pt < 35)

    def received_fill(self, byte):
        """Audio packets received whose payload starts with byte (another endpoint's fill)."""
        with self.lock:
            return self.by_first_byte.get(byte, 0)

    def stats(self):
        with self.lock:
            return {"received": dict(self.received), "sent": self.sent, "sources": sorted(self.sources),
                    "by_first_byte": dict(self.by_first_byte), "uniform": dict(self.uniform),
                    "events": list(self.events), "target": self.target}

    def wait_received(self, packets=1, timeout=10, audio_only=True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (self.received_audio if audio_only else self.received_total) >= packets:
                return True
            time.sleep(0.02)
        return False

    # -- sending
    def set_target(self, addr):
        with self.lock:
            self.target = (addr[0], int(addr[1]))

    def wait_target(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.target:
                    return self.target
            time.sleep(0.02)
        return None

    def _send_packet(self, pt, payload, marker=False, ts=None):
        header = struct.pack("!BBHII", 0x80, pt | (0x80 if marker else 0), self._seq & 0xFFFF,
                             (self._ts if ts is None else ts) & 0xFFFFFFFF, self._ssrc)
        self._seq += 1
        target = self.target
        if target:
            self.sock.sendto(header + payload, target)
            with self.lock:
                self.sent += 1

    def send_tone(self, seconds, pt=8):
        """A 20 ms-paced stream of G.711 (pt 8 PCMA or 0 PCMU) silence-ish pattern for `seconds`."""
        if self.fill is not None:
            frame = bytes([self.fill]) * 160
        else:
            frame = (b"\xd5" if pt == 8 else b"\xff") * 160
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < seconds and not self._stop.is_set():
            self._send_packet(pt, frame, marker=(n == 0))
            self._ts += 160
            n += 1
            delay = start + n * 0.02 - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def send_pcap(self, path, pt_map=None):
        """Replay the RTP payloads of a pcap with this endpoint's SSRC/sequence, keeping the original pacing
        and the original timestamp spacing (so an RFC 4733 event keeps one timestamp)."""
        packets = pcap_rtp_packets(path)
        if not packets:
            return 0
        start = time.monotonic()
        base_ts = struct.unpack("!I", packets[0][1][4:8])[0]
        ts0 = self._ts
        for at, pkt in packets:
            if self._stop.is_set():
                break
            delay = start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pt = pkt[1] & 0x7F
            pt = (pt_map or {}).get(pt, pt)
            ts = ts0 + ((struct.unpack("!I", pkt[4:8])[0] - base_ts) & 0xFFFFFFFF)
            cc = pkt[0] & 0x0F
            payload = pkt[12 + 4 * cc:]
            self._send_packet(pt, payload, marker=bool(pkt[1] & 0x80), ts=ts)
            self._ts = ts + 160
        return len(packets)

    def send_dtmf(self, digit):
        """The digit's RFC 4733 packets from SIPp's dtmf_2833_<digit>.pcap (telephone-event mapped to te_pt)."""
        packets = pcap_rtp_packets(dtmf_pcap(digit))
        te = {pkt[1] & 0x7F for _, pkt in packets if len(pkt) == 16}
        return self.send_pcap(dtmf_pcap(digit), pt_map={pt: self.te_pt for pt in te})

    def start_sending(self, seconds, pcap=None, digit=None, digit_delay=0.2, pt=8, wait_target=10):
        """In the background: wait for a target, optionally send a DTMF digit, then pcap or tone for seconds."""
        def run():
            if self.wait_target(wait_target) is None:
                return
            if digit is not None:
                time.sleep(digit_delay)
                self.send_dtmf(digit)
            if pcap:
                end = time.monotonic() + seconds
                while time.monotonic() < end and not self._stop.is_set():
                    self.send_pcap(pcap)
            else:
                self.send_tone(seconds, pt=pt)
        self._tx = threading.Thread(target=run, daemon=True)
        self._tx.start()
        return self

    def close(self):
        self._stop.set()
        try:
            self.sock.close()
        except OSError:
            pass
        self._rx.join(timeout=2)
        if self._tx:
            self._tx.join(timeout=2)


# ---------------------------------------------------------------------------------------------------------
# Callers and phones

class Call:
    """A SIPp caller plus (media="python") the RtpEndpoint that owns its SDP port."""

    def __init__(self, sipp, rtp):
        self.sipp = sipp
        self.rtp = rtp

    def wait(self, timeout=None):
        result = self.sipp.wait(timeout)
        return result

    def hang_up(self, timeout=10):
        """Cue a caller_cue.xml caller to hang up now: an INFO naming its Call-ID, sent to its own SIP port (SIPp
        matches a request to its call by Call-ID). True once SIPp logged the cue (it then sends BYE)."""
        line = self.sipp.wait_log("ANSWERED", timeout)
        m = re.search(r"call_id=(\S+) .*sip_port=(\d+)", line or "")
        if not m:
            return False
        call_id, port = m.group(1), int(m.group(2))
        cue = (f"INFO sip:caller@{self.sipp.ip}:{port} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {self.sipp.ip}:9;branch=z9hG4bK{os.urandom(6).hex()}\r\n"
               f"From: <sip:cue@{self.sipp.ip}>;tag={os.urandom(4).hex()}\r\n"
               f"To: <sip:caller@{self.sipp.ip}>\r\nCall-ID: {call_id}\r\nCSeq: 1 INFO\r\n"
               "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            while time.monotonic() < deadline and self.sipp.running():
                sock.sendto(cue.encode(), (self.sipp.ip, port))
                # Sent again only if SIPp never logged it (UDP): a second one after it would be unexpected.
                if self.sipp.wait_log("CUED", 2):
                    return True
        return bool(self.sipp.log_lines("CUED"))

    def close(self):
        self.sipp.cleanup()
        if self.rtp:
            self.rtp.close()


def place_call(server, number=DEMO_NUMBER, scenario="caller.xml", digit=None, talk_ms=5000, media="python",
               send_seconds=None, caller_id="01632960000", timeout_s=60, transport="u1", extra_args=(),
               latch=True, pt=8, fill=None):
    """Start a carrier call into the server (server = (host, sip_port)); returns a Call (not waited for).

    media="python": an RtpEndpoint owns the offered port; once the 200's SDP is known (logged by the
    scenario) it sends the DTMF digit (if any, from SIPp's pcap) then a tone for send_seconds (default
    talk_ms), and counts what it receives. media="sipp": SIPp plays g711a.pcap itself from its -mp port
    (use caller_welsh.xml / caller_english.xml for a digit); then nothing counts the audio it receives.
    """
    rtp = None
    if media == "python":
        rtp = RtpEndpoint(fill=fill)
        rtp_port = rtp.port
    else:
        rtp_port = free_rtp_port()
    keys = {"number": number, "caller_id": caller_id, "rtp_port": rtp_port, "media": media,
            "talk_ms": talk_ms}
    sipp = Sipp(scenario, server, keys, media_port=None if media == "python" else rtp_port,
                timeout_s=timeout_s, transport=transport, extra_args=extra_args)
    sipp.start()
    if rtp is not None:
        seconds = (talk_ms / 1000.0) if send_seconds is None else send_seconds

        def follow_answer():
            remote = sipp.remote_rtp("ANSWERED", timeout=timeout_s)
            if remote and (not latch or rtp.target is None):
                rtp.set_target(remote)
        threading.Thread(target=follow_answer, daemon=True).start()
        rtp.start_sending(seconds, digit=digit, wait_target=timeout_s, pt=pt)
    return Call(sipp, rtp)


class Phone:
    """A registered counsellor phone: the REGISTER result and the UAS SIPp process waiting at the Contact."""

    def __init__(self, register_result, uas, rtp):
        self.register_result = register_result
        self.uas = uas
        self.rtp = rtp

    @property
    def registered(self):
        return self.register_result is not None and self.register_result.ok

    def wait(self, timeout=None):
        return self.uas.wait(timeout)

    def close(self):
        self.uas.cleanup()
        if self.rtp:
            self.rtp.close()


def start_uas(scenario="phone_answer.xml", ring_ms=500, talk_ms=5000, media="python", decline_code=486,
              send_seconds=30, timeout_s=120, transport="u1", pt=8, fill=None, local_port=None, keys=None):
    """A phone-like UAS (scenario) listening on local_port (default: a free one), not registered anywhere:
    e.g. a partner service's number that calls overflow to. Returns a Phone whose register_result is None.

    media="python": an RtpEndpoint owns the answered port, sends a tone back once it knows where (the
    INVITE's SDP, logged by the scenario, or the first packet received) and counts what it receives.
    media="echo": SIPp's -rtp_echo on its -mp port echoes whatever arrives (counts nothing). Never use echo
    on both ends of a relayed call: the packets would circulate for ever.
    """
    rtp = None
    extra = []
    if media == "python":
        rtp = RtpEndpoint(fill=fill)
        rtp_port = rtp.port
        media_port = None
    else:
        rtp_port = media_port = free_rtp_port()
        extra.append("-rtp_echo")
    keys = {"rtp_port": rtp_port, "ring_ms": ring_ms, "talk_ms": talk_ms, "decline_code": decline_code,
            **(keys or {})}  # more -key values a scenario reads, e.g. refer_to
    uas = Sipp(scenario, None, keys, local_port=local_port, media_port=media_port, timeout_s=timeout_s,
               transport=transport, extra_args=extra)
    # A UAS scenario still needs a remote for SIPp's command line only when it sends first; ours do not.
    uas.start()
    time.sleep(0.2)  # let it bind before the server can ring it
    if rtp is not None:
        def follow_offer():
            remote = uas.remote_rtp("INVITE", timeout=timeout_s)
            if remote and rtp.target is None:
                rtp.set_target(remote)
        threading.Thread(target=follow_offer, daemon=True).start()
        rtp.start_sending(send_seconds, wait_target=timeout_s, pt=pt)
    return Phone(None, uas, rtp)


def register_phone(server, sipuser, password, scenario="phone_answer.xml", ring_ms=500, talk_ms=5000,
                   media="python", decline_code=486, expires=300, send_seconds=30, timeout_s=120,
                   transport="u1", pt=8, fill=None, keys=None):
    """Start a phone UAS (start_uas: scenario on a free port), then REGISTER sipuser there; returns a Phone."""
    phone = start_uas(scenario, ring_ms=ring_ms, talk_ms=talk_ms, media=media, decline_code=decline_code,
                      send_seconds=send_seconds, timeout_s=timeout_s, transport=transport, pt=pt, fill=fill,
                      keys=keys)
    phone.register_result = run_sipp("phone_register.xml", server,
                                     {"sipuser": sipuser, "contact_port": phone.uas.local_port, "expires": expires},
                                     auth=(sipuser, password), timeout_s=15, transport=transport)
    return phone


def unregister_phone(server, sipuser, password, contact_port):
    return run_sipp("phone_register.xml", server, {"sipuser": sipuser, "contact_port": contact_port,
                                                   "expires": 0}, auth=(sipuser, password), timeout_s=15)


def wait_registered(check=None, timeout=10, interval=0.1, settle=0.3):
    """Wait until check() is truthy (e.g. a lambda that reads GET /api/v1/live and looks for the
    counsellor's phone); with no check, just let the server settle for `settle` seconds (a phone whose
    REGISTER got 200 — Phone.registered — is registered). Returns the last check() value or True."""
    if check is None:
        time.sleep(settle)
        return True
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # the server may not be ready yet
            value = None
        if value:
            return value
        time.sleep(interval)
    return value


# ---------------------------------------------------------------------------------------------------------
# baresip as a registered, auto-answering softphone. Debian's baresip-core 1.0.0 has no null player and its
# aufile module is a source only; what works headless: ausine (a sine, 48 kHz stereo only) as microphone,
# aubridge (an in-process bridge nobody reads) as speaker, sndfile to dump both directions to wav files.

BARESIP_MODULES = ("g711.so", "ausine.so", "aubridge.so", "sndfile.so")
BARESIP_APP_MODULES = ("account.so", "menu.so")   # menu.so carries out answermode=auto


class Baresip:
    """baresip -f DIR with one account and auto-answer.

    registrar=(host, port): registers sip:USER@host:port with auth_pass=password (answermode=auto).
    registrar=None: a local-only UA (regint=0) that answers any INVITE sent to 127.0.0.1:<sip_port>.
    The audio it received is in dump-*-dec.wav under snd_dir (sndfile), what it sent in dump-*-enc.wav.
    """

    def __init__(self, user="phone", registrar=None, password="", sip_port=None, regint=300, transport="udp",
                 mediaenc=None, cafile=None):
        # transport="tls" registers over SIP over TLS (cafile: the PEM its server's certificate chains to);
        # mediaenc="srtp-mand": SRTP keyed by SDES only (module srtp), every call refused without it.
        self.transport = transport
        self.mediaenc = mediaenc
        self.cafile = cafile
        self.user = user
        self.registrar = registrar
        self.password = password
        self.sip_port = sip_port or free_port_pair()
        self.regint = regint
        self.dir = tempfile.mkdtemp(prefix="crisisline-baresip-")
        self.snd_dir = os.path.join(self.dir, "snd")
        os.makedirs(self.snd_dir)
        self.proc = None
        self.out = None
        self.out_path = os.path.join(self.dir, "stdout.txt")

    def write_config(self):
        rtp = free_rtp_port()
        self.rtp_ports = (rtp, rtp + 20)
        lines = [
            "poll_method\t\tepoll",
            f"sip_listen\t\t127.0.0.1:{self.sip_port}",
            "sip_trans_def\t\tudp",
            "call_local_timeout\t120",
            "call_max_calls\t\t4",
            "audio_player\t\taubridge,nul",
            "audio_alert\t\taubridge,nul",
            "audio_source\t\tausine,440",
            "ausrc_srate\t\t48000",
            "ausrc_channels\t\t2",
            "auplay_srate\t\t48000",
            "auplay_channels\t\t1",
            f"rtp_ports\t\t{rtp}-{rtp + 20}",
            "net_interface\t\t127.0.0.1",   # an interface name (lo) fails here: no getifaddrs result
            "dns_server\t\t127.0.0.1:53",
            f"snd_path\t\t{self.snd_dir}",
            "module_path\t\t/usr/lib/baresip/modules",
        ]
        if self.cafile:
            lines.append(f"sip_cafile\t\t{self.cafile}")
        modules = BARESIP_MODULES + (("srtp.so",) if self.mediaenc else ())
        lines += [f"module\t\t\t{m}" for m in modules]
        lines += [f"module_app\t\t{m}" for m in BARESIP_APP_MODULES]
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write("\n".join(lines) + "\n")
        if self.registrar:
            host, port = self.registrar
            media = f"mediaenc={self.mediaenc};" if self.mediaenc else ""
            account = (f"<sip:{self.user}@{host}:{port};transport={self.transport}>;auth_pass={self.password};"
                       f"answermode=auto;regint={self.regint};{media}audio_codecs=PCMU,PCMA\n")
        else:
            account = (f"<sip:{self.user}@127.0.0.1:{self.sip_port}>;regint=0;answermode=auto;"
                       "audio_codecs=PCMU,PCMA\n")
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write(account)
        with open(os.path.join(self.dir, "contacts"), "w") as f:
            f.write("")

    def start(self, wait_ready=10):
        self.write_config()
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen([BARESIP, "-f", self.dir], stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT, cwd=self.dir)
        if wait_ready and not self.wait_for("baresip is ready", wait_ready):
            raise RuntimeError("baresip did not start:\n" + self.output())
        return self

    def output(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_for(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return True
            if self.proc.poll() is not None:
                return text in self.output()
            time.sleep(0.05)
        return False

    def wait_registered(self, timeout=10):
        """True once baresip logs a successful registration ("... 200 OK ..." on the reg line)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.output().splitlines():
                if self.user in line and "200" in line and "OK" in line:
                    return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def received_audio_bytes(self):
        """Bytes of decoded audio baresip received (the dump-*-dec.wav files, less their 44-byte headers)."""
        total = 0
        for name in os.listdir(self.snd_dir):
            if name.endswith("-dec.wav"):
                total += max(0, os.path.getsize(os.path.join(self.snd_dir, name)) - 44)
        return total

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.out:
            self.out.close()
            self.out = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
