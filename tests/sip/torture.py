"""RFC 4475 (SIP torture test messages) against a SIP server: valid ones handled, invalid ones rejected,
nothing crashes (the server still answers OPTIONS after every message).

Where the messages come from (nothing here is typed in): RFC 4475 Appendix A carries them as a base64,
gzip-compressed tar archive of 49 .dat files. No Debian package ships the RFC or the archive; the npm
package "sip" 0.0.6 (kirm/sip.js, MIT) ships the archive's files, unmodified CRLF bytes, as
test/messages/<name>.dat, next to a few files of its own (test.dat, badcseq.dat, baddn_sep.dat) that are
not from the RFC and are ignored here. Sources, first found wins:
  1. $RFC4475_DIR: a directory of the 49 <name>.dat files (e.g. the archive unpacked by hand);
  2. $RFC4475_TXT: the RFC's text (rfc4475.txt); Appendix A's base64 is decoded and untarred at run time;
  3. `npm pack sip@0.0.6` into a cache directory ($RFC4475_CACHE, default ~/.cache/crisisline-rfc4475).
Every file is checked against the SHA-256 recorded below (taken from sip@0.0.6); a mismatch is an error.

    python3 torture.py list                      # what was found, with the expected verdicts
    python3 torture.py send 127.0.0.1 5060 [udp|tcp]
"""
import base64
import glob
import gzip
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import tarfile
import tempfile
import time

NPM_SPEC = "sip@0.0.6"

SHA256 = {
    "wsinv": "d6f6cdee99cd0a1f8e3d9a0fdd67c877700e19ab86d8186dada06f61260e3e61",
    "intmeth": "b957a8292c1c0a9851fe94705b90f94320738f43aacde64998e401f742ef688d",
    "esc01": "be3a316d4ce5f69cad474646191e390dd4b50fc8371e44b5197fe1237781973e",
    "escnull": "263fe2ecd12a5ccbb6c67b3174e9211d11da9b600e7d69666a86d2ee42873e90",
    "esc02": "9a9c59449f00327b02071feafc8e5c2a261c98c818044167894cc17809a12199",
    "lwsdisp": "d1b36b6316c12824f6f04bf6b1fd1f021cade9b74871693b9c3474cd9fa7f4e6",
    "longreq": "185739292bc676760e5b1cca77c87705aa570240171c506ad76f8c35af0ecdaa",
    "dblreq": "a6be48426565c2a705389c4ce2ea17e57b891cb13f80490a2cb9392c797b46ef",
    "semiuri": "87bbaed6b4b354dbd3c5c7a20e66686303c63e43a0aa19b89de1ac75231611a2",
    "transports": "33b4553a3b9418121b099ff07882535151edd6a1e81898c63a916aad2cbf90bc",
    "mpart01": "92147c8e24997bac59629e1b163767697d0d6d499af87f89e325d69968bec3ba",
    "unreason": "4f939d6ebf4817eea70f011d3209e83732872ffc20ffd304b244084dc392f4d7",
    "noreason": "07e11e470a69fffa3674de805e5165d1351a9439a91045ee70c9570ea24ab4fe",
    "badinv01": "9ee2b88f2e0b5a9eeb9bf729b6177f0a0c7d0b5e6c84be593e0480d7962f3ab8",
    "clerr": "d9da629086a38df433438fb0fb19a8730f34516f049a5520dd0cac3285485290",
    "ncl": "7ea6538edc1f054fdb6cd1c821040460cffca3cb682fa2e8e2a502d92170b4c2",
    "scalar02": "53158177326568e9964bce5dcfac27a2bf8a90953bbc03f6c5e2775864a97e4b",
    "scalarlg": "0957eca31737e3592eb1418bb41e9f5219278a78ff420111620d7fb60175b551",
    "quotbal": "e61978a2ea359fc666f0336fe4dbc623447532280e3273ea98119b3d3f788c84",
    "ltgtruri": "bcacb2dc17610e8cc8f9b8b0e3d6ee65ab473f93787a03bbd33579e1cea473df",
    "lwsruri": "3e22ceeca585ad23cc180208e2dad94e0a5aa4bb877a61cac443aa927f758b9e",
    "lwsstart": "f884e5626c6c5b1210cfc4a3540b8a28bd52939cff092f3f0c5c971e032adb0e",
    "trws": "64ae20694026e28c10746b57386b7fd1276de02b6f8d42d418070e87d6f4499f",
    "escruri": "c3cf30af13a9d107829cc105effd79355f1139c6ecc683a048b4c27951f8f416",
    "baddate": "1208a6e3e0c8a8c33a06a1f3733d158413cb72e58c379d094c4ecea11e9d4c28",
    "regbadct": "575d27530275814c1c98be164808fac89a0e2b4fc899dadcd97e6ba499437bda",
    "badaspec": "f8f6e2f4247287b0be6adb5ac222a6db4759395e44d27d2ddb9b39393e94867e",
    "baddn": "9d9428e8017092f194ec11077ba6865c251308cdfd7fd9db6a993b28e5748951",
    "badvers": "037d702d19e934bfeebbd2609050d7d54928d590cf90c78f3914522771dd8e03",
    "mismatch01": "a2c285636e451e75420da0cc62ee55ca3e398827008418befbfb078726bf0793",
    "mismatch02": "01b287f9a9c492f7f57405c36c8a2af0e2393896ed2d25fb92b502f2a6722bc4",
    "bigcode": "f79450070975da54c3525c9a5cbe75bae3c9d8cb92eba609772c26f66f225c2e",
    "badbranch": "cb049c727f16b5ec49e822f9e8b7d0ee20ca2d20ffb50baecd0b411a5e64fa7d",
    "insuf": "1e3efd9f3b238c6351ba12bc7eb46d843f2761b5d4a6b82b63bffdf07f2c5aee",
    "unkscm": "81be1a6a566c7ab52fe1c58c4a75440dfd697ad04c5e09fa71340de7da7b8bbb",
    "novelsc": "9a50a7343fcf685e77c4d0f477138a28f32a41c75aa566d200f3df210b01e648",
    "unksm2": "f6914409ced613ef5eb56e264d2f096dac26ab9e397d6a638934d2027f1f6acb",
    "bext01": "57181987c02c4f5752b7aa8c2847311f6184216ce7621e40303015949e70761c",
    "invut": "9b39e824947df46f90f824cd308fb3c118f548d94637f581101e355b381a0d92",
    "regaut01": "885ba0488872cfc04a3c7622854b8381955a5ee890745d6010834e3731a73faa",
    "multi01": "d156ab12105b4bfd8a6498de6f7195087058162b8cda1606169855b722411791",
    "mcl01": "887191619bf003b7e87399200b5cf4c3b5397344dbf70288ad5e23bd157b7fe4",
    "bcast": "073637c63597199179cf5fc91b980b2d530c066a0048ea3b908772def57b4c36",
    "zeromf": "50954ef47acca4f9f5263ded06246d06dee4e2ee508a8d284191795d7fddf365",
    "cparam01": "dfa6b5cdb289adc694b9b7e103ebfa7a2167335c46e5dc9de67055021910ae1c",
    "cparam02": "e93574215bd1d804bb46cc15ca6176b567def7ea1b15f72ab2c2dcf598af465a",
    "regescrt": "dab4087c133348b06fd7b3c4c7ef15094f8754e265e4e8c2137bb3ecda2ef477",
    "sdp01": "497c5f1ced6c7b579b48075e2dca919ce9b819a735964128a6e744a3a0b9e57f",
    "inv2543": "76fac8afe22dee49ea696b511621946694897ac7030fc5d07f57c8b487ce0521",
}

# RFC 4475 section and the verdict expected of a server, by message. "valid": a well-formed message the
# server must parse and handle (for a request: a final response, an error code being fine where the RFC's
# application-layer section calls for one); "invalid": malformed, to be rejected (400 class) or dropped.
# The 3.3 application-layer messages are syntactically valid but ask for a specific handling (e.g. 416
# for an unknown URI scheme, 420 for an unknown Require, 400 for missing header fields or a repeated
# single-value header, 415 for an unknown body type); they count as valid: the server must parse them and
# answer, not crash. Responses (unreason, noreason, bigcode, bcast) are not answered: for them the check
# is only that the server keeps working.
SECTIONS = {
    "3.1.1 valid": ("wsinv intmeth esc01 escnull esc02 lwsdisp longreq dblreq semiuri transports mpart01 "
                    "unreason noreason"),
    "3.1.2 invalid": ("badinv01 clerr ncl scalar02 scalarlg quotbal ltgtruri lwsruri lwsstart trws escruri "
                      "baddate regbadct badaspec baddn badvers mismatch01 mismatch02 bigcode"),
    "3.2 transaction layer": "badbranch",
    "3.3 application layer": ("insuf unkscm novelsc unksm2 bext01 invut regaut01 multi01 mcl01 bcast zeromf "
                              "cparam01 cparam02 regescrt sdp01"),
    "3.4 backward compatibility": "inv2543",
}
SECTION_OF = {name: section for section, names in SECTIONS.items() for name in names.split()}
EXPECTED_VALID = {name: not section.startswith("3.1.2") for name, section in SECTION_OF.items()}
RESPONSES = {"unreason", "noreason", "bigcode", "bcast"}


def _check(files):
    missing = sorted(set(SHA256) - set(files))
    if missing:
        raise RuntimeError(f"RFC 4475 messages missing: {' '.join(missing)}")
    for name, data in files.items():
        if name in SHA256 and hashlib.sha256(data).hexdigest() != SHA256[name]:
            raise RuntimeError(f"RFC 4475 message {name}.dat differs from the recorded SHA-256")
    return {name: files[name] for name in SHA256}


def _from_dir(path):
    return {os.path.basename(p)[:-4]: open(p, "rb").read() for p in glob.glob(os.path.join(path, "*.dat"))}


def decode_rfc_text(text):
    """The files of RFC 4475 Appendix A's archive, from the RFC's plain text.

    Takes the longest run of lines that are base64 only (indentation stripped), stepping over the page
    breaks (form feeds, page footers and headers, blank lines) that split it, then base64 -> gzip -> tar.
    """
    b64 = re.compile(r"^[A-Za-z0-9+/=]+$")
    page_noise = re.compile(r"^(\f|RFC 4475\b.*|.*\[Page \d+\]\s*)$")
    best, run = [], []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or page_noise.match(raw.strip("\n")) or line.startswith("\f"):
            continue
        if b64.match(line) and len(line) >= 40 or (run and b64.match(line)):
            run.append(line)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    blob = base64.b64decode("".join(best))
    if blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    files = {}
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith(".dat"):
                files[os.path.basename(member.name)[:-4]] = tar.extractfile(member).read()
    return files


def _from_npm(cache):
    os.makedirs(cache, exist_ok=True)
    tgz = os.path.join(cache, "sip-0.0.6.tgz")
    if not os.path.exists(tgz):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["npm", "pack", NPM_SPEC, "--silent"], cwd=tmp, check=True, timeout=180,
                           stdout=subprocess.DEVNULL)
            os.replace(os.path.join(tmp, "sip-0.0.6.tgz"), tgz)
    files = {}
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("package/test/messages/") and member.name.endswith(".dat"):
                files[os.path.basename(member.name)[:-4]] = tar.extractfile(member).read()
    return files


def load_files():
    if os.environ.get("RFC4475_DIR"):
        return _check(_from_dir(os.environ["RFC4475_DIR"]))
    if os.environ.get("RFC4475_TXT"):
        with open(os.environ["RFC4475_TXT"], encoding="latin-1") as f:
            return _check(decode_rfc_text(f.read()))
    cache = os.environ.get("RFC4475_CACHE", os.path.expanduser("~/.cache/crisisline-rfc4475"))
    return _check(_from_npm(cache))


def torture_messages():
    """[(name, message bytes, expected_valid)] for the 49 messages, in the RFC's order."""
    files = load_files()
    order = [n for names in SECTIONS.values() for n in names.split()]
    return [(name, files[name], EXPECTED_VALID[name]) for name in order]


def retarget(message, host, port):
    """The message unchanged. (The Request-URIs name example.com hosts; a server that answers only its own
    domain answers those with 404/416/etc., which still shows that it parsed them.)"""
    return message


def options(host, port, transport="udp", timeout=2.0):
    """Send an OPTIONS and return the status code of the answer (None if none came)."""
    sock_type = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, sock_type) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        local = s.getsockname()
        branch = "z9hG4bK" + os.urandom(6).hex()
        msg = (f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
               f"Via: SIP/2.0/{transport.upper()} {local[0]}:{local[1]};branch={branch};rport\r\n"
               f"Max-Forwards: 70\r\nFrom: <sip:probe@{local[0]}>;tag={os.urandom(4).hex()}\r\n"
               f"To: <sip:{host}:{port}>\r\nCall-ID: {os.urandom(8).hex()}@{local[0]}\r\n"
               f"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode()
        s.sendall(msg)
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            try:
                data = s.recv(65535)
            except socket.timeout:
                return None
            if not data:
                return None
            buf += data
            m = re.match(rb"SIP/2\.0 (\d{3}) ", buf)
            if m and int(m.group(1)) >= 200:
                return int(m.group(1))
            if m and b"\r\n\r\n" in buf:   # provisional: keep reading
                buf = buf[buf.index(b"\r\n\r\n") + 4:]
        return None


def send_one(host, port, message, transport="udp", wait=0.5):
    """Send one raw message; return the first status code answered within wait seconds (or None)."""
    sock_type = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, sock_type) as s:
        s.settimeout(wait)
        try:
            s.connect((host, port))
            s.sendall(message)
            data = s.recv(65535)
        except (socket.timeout, ConnectionError, OSError):
            return None
        m = re.match(rb"SIP/2\.0 (\d{3}) ", data or b"")
        return int(m.group(1)) if m else None


def run(host, port, transport="udp", wait=0.5):
    """Send every message; after each, the server must still answer OPTIONS. Returns a list of
    (name, expected_valid, status answered or None, options status after)."""
    results = []
    for name, message, valid in torture_messages():
        status = send_one(host, port, retarget(message, host, port), transport, wait)
        alive = options(host, port, transport)
        results.append((name, valid, status, alive))
    return results


def main(argv):
    if len(argv) >= 2 and argv[1] == "list":
        for name, message, valid in torture_messages():
            print(f"{name:12} {SECTION_OF[name]:28} {'valid' if valid else 'INVALID':8} {len(message):6} bytes")
        return 0
    if len(argv) >= 4 and argv[1] == "send":
        failed = 0
        for name, valid, status, alive in run(argv[2], int(argv[3]), argv[4] if len(argv) > 4 else "udp"):
            ok = alive is not None
            failed += not ok
            print(f"{name:12} {'valid' if valid else 'invalid':8} answered={status} options_after={alive}"
                  f"{'' if ok else '  SERVER NOT ANSWERING'}")
        return 1 if failed else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
