#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The module as the kernel's own ynl tooling sees it (VM suite).

Every operation of Documentation/netlink/specs/sliceguard.yaml is driven
through tools/net/ynl/cli.py from the kernel sources, which encodes requests
and decodes replies from the spec alone: a reply attribute the spec does not
declare, a wrong type or a wrong nesting fails here even when the
hand-written C tests agree with the module.  Transactions need one socket
for several operations, so those use cli.py's library, lib.YnlFamily, in
this process.  So do notifications: a YnlFamily socket joins the config
group and receives what cli.py's changes cause.  (cli.py --subscribe with
--do on its one socket cannot work in 6.12's lib/ynl.py: a notification
that arrives before the ACK leaves _ops() with op = None and it crashes.)

cli.py runs in this process (runpy, fresh argv, its own socket each time)
rather than as a new interpreter per call: under TCG an interpreter start
costs seconds.  The first call validates the spec against
genetlink-legacy.yaml (--schema); the spec cannot change during the run, so
later calls skip the check (--no-schema) that would cost seconds each.  For
the same reason the YAML is parsed by libyaml (CSafeLoader) where nlspec
calls the pure-Python yaml.safe_load: same documents, a tenth of the time.

Everything runs in a network namespace of its own; at the end the suite
leaves it and checks that the module's live_objects count goes back.
"""

import ast
import contextlib
import ctypes
import errno
import gc
import io
import ipaddress
import json
import os
import re
import runpy
import shlex
import subprocess
import sys
import time
import traceback

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
YNL = os.path.join(REPO, "build/ksrc/tools/net/ynl")
CLI = os.path.join(YNL, "cli.py")
SPEC = os.path.join(REPO, "Documentation/netlink/specs/sliceguard.yaml")
SCHEMA = os.path.join(REPO, "build/ksrc/Documentation/netlink/genetlink-legacy.yaml")
LIVE_OBJECTS = "/sys/kernel/debug/sliceguard/live_objects"
CLONE_NEWNET = 0x40000000

ERRNO_OF = {os.strerror(e): e for e in errno.errorcode}


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def diag(self, *lines):
        for block in lines:
            for line in str(block).splitlines() or [""]:
                print(f"# {line}", flush=True)

    def result(self, name, ok, *diag):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} {name}", flush=True)
        if not ok:
            self.failed += 1
            self.diag(*diag)
        return ok

    def skip(self, name, reason):
        self.n += 1
        print(f"ok {self.n} {name} # SKIP {reason}", flush=True)

    def done(self):
        print(f"1..{self.n}", flush=True)
        sys.exit(1 if self.failed else 0)


tap = Tap()


class Failed(Exception):
    """A check inside a test failed; the message says which."""


def check(cond, what):
    if not cond:
        raise Failed(what)


def test(name):
    """Run the decorated function now as one TAP test."""
    def run(fn):
        try:
            fn()
        except Failed as e:
            tap.result(name, False, str(e))
        except Exception:
            tap.result(name, False, traceback.format_exc())
        else:
            tap.result(name, True)
        return fn
    return run


class CliResult:
    def __init__(self, argv, status, out):
        self.argv = argv
        self.status = status
        self.out = out
        self.errno = None
        self.extack = {}
        self.json = []
        m = re.search(r"^Netlink error: (.*)$", out, re.M)
        if m:
            self.errno = ERRNO_OF.get(m.group(1))
            m = re.search(r"extack: (\{.*\})$", out, re.M)
            if m:
                self.extack = ast.literal_eval(m.group(1))
        else:
            self.json = [json.loads(l) for l in out.splitlines() if l.strip()]

    def __str__(self):
        cmd = "python3 " + shlex.join(self.argv)
        return f"$ {cmd}\nexit {self.status}\n{self.out}"

    @property
    def reply(self):
        check(self.status == 0 and self.json, f"cli.py failed:\n{self}")
        return self.json[0]


schema_checked = False


def cli(*args):
    """Run cli.py with ARGS; the spec is validated against the schema once."""
    global schema_checked
    argv = [CLI, "--spec", SPEC]
    argv += ["--no-schema"] if schema_checked else ["--schema", SCHEMA]
    argv += ["--output-json", *args]
    out = io.StringIO()
    status = 0
    saved = sys.argv
    sys.argv = argv
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(CLI, run_name="__main__")
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else 1
    finally:
        sys.argv = saved
        # YnlFamily holds itself in a cycle: free its socket now.
        gc.collect()
    schema_checked = True
    return CliResult(argv, status, out.getvalue())


def do(op, attrs, *flags):
    return cli("--do", op, "--json", json.dumps(attrs), *flags)


def dump(op):
    return cli("--dump", op)


def expect_error(res, err, msg):
    """RES failed with errno ERR and extack message MSG (str or regex)."""
    check(res.status != 0 and res.errno == err,
          f"want {errno.errorcode[err]}, got:\n{res}")
    got = res.extack.get("msg", "")
    ok = re.fullmatch(msg, got) if isinstance(msg, re.Pattern) else got == msg
    check(ok, f"want extack {msg!r}, got {got!r}\n{res}")


def lib_error(fn, *args):
    """Call FN expecting an NlError; return (errno, extack message)."""
    try:
        fn(*args)
    except NlError as e:
        return e.error, (e.nl_msg.extack or {}).get("msg", "")
    raise Failed(f"{fn.__name__}{args} succeeded, expected an error")


def spec_reply_attrs(op, mode="do"):
    if op.endswith("-ntf"):
        return set(spec_ynl.msgs[op].yaml["event"]["attributes"])
    return set(spec_ynl.ops[op].yaml[mode]["reply"]["attributes"])


def check_reply(op, reply, mode="do"):
    """REPLY carries only what the spec says OP's reply carries."""
    extra = set(reply) - spec_reply_attrs(op, mode)
    check(not extra, f"{op} {mode} reply has attributes the spec does not list: "
          f"{sorted(extra)}")


def check_subset(want, got, what):
    """Every attribute of WANT is in GOT with the same value."""
    diff = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    check(not diff, f"{what}: attribute (want, got): {diff}")


def ip4(text):
    return int(ipaddress.IPv4Address(text))


def ip6(text):
    return ipaddress.IPv6Address(text).packed.hex()


def live_objects():
    try:
        with open(LIVE_OBJECTS) as f:
            return int(f.read())
    except OSError:
        return None


# ---------------------------------------------------------------------------

sys.path.insert(0, YNL)
import yaml  # noqa: E402

yaml.safe_load = lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader)
from lib import YnlFamily, NlError  # noqa: E402

if not os.path.exists(CLI):
    print(f"1..0 # SKIP no {CLI}: run 'make ksrc'")
    sys.exit(0)

libc = ctypes.CDLL(None, use_errno=True)
baseline = live_objects()
home_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
if libc.unshare(CLONE_NEWNET) != 0:
    tap.result("unshare a network namespace for the suite", False,
               os.strerror(ctypes.get_errno()))
    tap.done()

# Request and expected reply contents, per object.
EMBB = {
    "id": 1, "name": "embb", "sst": 1, "sd": 0x000101,
    "ue-prefix": [{"addr4": ip4("10.1.0.0"), "len": 16},
                  {"addr6": ip6("2001:db8:1::"), "len": 48}],
    "vlan": [100], "teid-range": [{"first": 0x1000, "last": 0x1fff}],
    "dscp": [10], "rate-bytes": 125000000, "burst-bytes": 1500000,
    "rate-packets": 0, "ue-rate-bytes": 2500000, "mark": 0x100, "ue-to-ue": 0,
}
# Replies decode addresses as text; zero rates and flags may be left out.
EMBB_REPLY = {k: v for k, v in EMBB.items() if v != 0}
EMBB_REPLY["ue-prefix"] = [{"addr4": "10.1.0.0", "len": 16},
                           {"addr6": "2001:db8:1::", "len": 48}]
MIOT = {"id": 3, "name": "miot", "sst": 3,
        "ue-prefix": [{"addr4": ip4("10.3.0.0"), "len": 16}], "vlan": [300]}
TELEMETRY = {
    "id": 10, "name": "telemetry", "slice": [3],
    "endpoint": [{"prefix": {"addr4": ip4("10.9.0.0"), "len": 24},
                  "proto": 6, "port-first": 443, "port-last": 443}],
    "ifname": "sgapp0", "rate-bytes": 0, "burst-bytes": 0, "rate-packets": 0,
}
TELEMETRY_REPLY = {k: v for k, v in TELEMETRY.items() if v != 0}
TELEMETRY_REPLY["endpoint"] = [{"prefix": {"addr4": "10.9.0.0", "len": 24},
                                "proto": 6, "port-first": 443, "port-last": 443}]
state = {}

spec_ynl = None


@test("cli.py --schema: the spec is valid and policy-get answers")
def _():
    global spec_ynl
    res = do("policy-get", {})
    r = res.reply
    check_subset({"generation": 0, "n-slices": 0, "n-apps": 0, "n-rules": 0,
                  "n-uplinks": 0, "max-slices": 64, "max-apps": 256,
                  "max-rules": 1024, "max-uplinks": 16}, r, "new netns policy")
    check("tx-portid" not in r, f"tx-portid without a transaction: {r}")
    spec_ynl = YnlFamily(SPEC, "")
    check_reply("policy-get", r)
    state["gen"] = 0


@test("slice-new: stored as sent, one generation")
def _():
    r = do("slice-new", EMBB).reply
    check_subset(EMBB_REPLY, r, "slice-new reply")
    check(r["generation"] == state["gen"] + 1, f"generation {r['generation']}")
    check_reply("slice-new", r)
    state["gen"] = r["generation"]
    r = do("slice-new", MIOT).reply
    check(r["generation"] == state["gen"] + 1, f"generation {r['generation']}")
    check("sd" not in r, f"sd reported though never set: {r}")
    state["gen"] = r["generation"]


@test("slice-get by id and by name return the slice")
def _():
    by_id = do("slice-get", {"id": 1}).reply
    by_name = do("slice-get", {"name": "embb"}).reply
    check_subset(EMBB_REPLY, by_id, "slice-get by id")
    check(by_id == by_name, f"by id {by_id} != by name {by_name}")
    check_reply("slice-get", by_id)


@test("slice-get dump walks slices in id order")
def _():
    r = dump("slice-get").reply
    check([s["id"] for s in r] == [1, 3], f"dump ids {[s['id'] for s in r]}")
    for s in r:
        check_reply("slice-get", s, "dump")


@test("slice-set replaces the whole slice")
def _():
    new = dict(EMBB, dscp=[10, 12])
    del new["mark"]
    r = do("slice-set", new).reply
    check(r["generation"] == state["gen"] + 1, f"generation {r['generation']}")
    state["gen"] = r["generation"]
    got = do("slice-get", {"id": 1}).reply
    check(got["dscp"] == [10, 12], f"dscp {got.get('dscp')}")
    check(got.get("mark", 0) == 0, f"mark not given but kept: {got.get('mark')}")
    check_reply("slice-set", r)


@test("slice-new on an existing id: EEXIST, 'slice exists'")
def _():
    expect_error(do("slice-new", EMBB), errno.EEXIST, "slice 1 exists (embb)")


@test("--excl, --create, --replace: the genetlink core refuses them, nothing stored")
def _():
    for flag in ("--excl", "--create", "--replace"):
        for attrs in (EMBB, {"id": 6, "name": "x", "sst": 1}):
            expect_error(do("slice-new", attrs, flag), errno.EINVAL,
                         "ambiguous or reserved bits set in nlmsg_flags")
    expect_error(do("slice-get", {"id": 6}), errno.ENOENT, "slice not found")
    check(do("policy-get", {}).reply["generation"] == state["gen"],
          "a refused request made a generation")


@test("slice-get of a missing id: ENOENT, 'slice not found'")
def _():
    res = do("slice-get", {"id": 99})
    expect_error(res, errno.ENOENT, "slice not found")
    check(res.extack.get("bad-attr") == ".id", f"extack points at {res.extack}")


@test("app-new, app-get by id and name, app dump")
def _():
    r = do("app-new", TELEMETRY).reply
    check_subset(TELEMETRY_REPLY, r, "app-new reply")
    check_reply("app-new", r)
    state["gen"] = r["generation"]
    by_id = do("app-get", {"id": 10}).reply
    by_name = do("app-get", {"name": "telemetry"}).reply
    check(by_id == by_name == r, f"get {by_id} / {by_name} / new {r}")
    d = dump("app-get").reply
    check([a["id"] for a in d] == [10], f"dump {d}")


@test("app-set: the app serves one more slice")
def _():
    r = do("app-set", dict(TELEMETRY, slice=[1, 3])).reply
    check(sorted(r["slice"]) == [1, 3], f"slices {r.get('slice')}")
    check(r["generation"] == state["gen"] + 1, f"generation {r['generation']}")
    state["gen"] = r["generation"]
    check_reply("app-set", r)


@test("rule-new without id: the kernel picks the lowest free id")
def _():
    r = do("rule-new", {"src-kind": "slice", "src-id": 1, "dst-kind": "app",
                        "dst-id": 10, "proto": 6, "port-first": 443,
                        "port-last": 443}).reply
    check(r["id"] == 1, f"picked id {r.get('id')}")
    check(r["src-kind"] == "slice" and r["dst-kind"] == "app", f"kinds {r}")
    check_reply("rule-new", r)
    r = do("rule-new", {"id": 5, "src-kind": "app", "src-id": 10,
                        "dst-kind": "slice", "dst-id": 1}).reply
    check(r["id"] == 5, f"rule id {r.get('id')}")
    check(r.get("port-first", 0) == 0 and r.get("port-last", 65535) == 65535,
          f"default ports {r}")
    state["gen"] = r["generation"]


@test("rule-get, rule dump and rule-set")
def _():
    r = do("rule-get", {"id": 1}).reply
    check_reply("rule-get", r)
    d = dump("rule-get").reply
    check([x["id"] for x in d] == [1, 5], f"dump ids {[x['id'] for x in d]}")
    r = do("rule-set", {"id": 1, "src-kind": "slice", "src-id": 1,
                        "dst-kind": "app", "dst-id": 10, "proto": 6,
                        "port-first": 443, "port-last": 444}).reply
    check(r["port-last"] == 444, f"rule-set reply {r}")
    check(do("rule-get", {"id": 1}).reply["port-last"] == 444, "rule-set not stored")
    state["gen"] = r["generation"]


@test("uplink-new, uplink-get, uplink dump and uplink-set")
def _():
    r = do("uplink-new", {"ifname": "sgup0", "mode": "gtpu",
                          "unsliced": "pass"}).reply
    check_subset({"ifname": "sgup0", "mode": "gtpu", "unsliced": "pass"}, r,
                 "uplink-new reply")
    check_reply("uplink-new", r)
    check(do("uplink-get", {"ifname": "sgup0"}).reply == r, "uplink-get differs")
    check([u["ifname"] for u in dump("uplink-get").reply] == ["sgup0"], "dump")
    r = do("uplink-set", {"ifname": "sgup0", "mode": "ip"}).reply
    check(r["mode"] == "ip" and r["unsliced"] == "drop",
          f"uplink-set did not replace as a whole: {r}")
    state["gen"] = r["generation"]


@test("slice-del of a slice in use: EBUSY naming the user")
def _():
    expect_error(do("slice-del", {"id": 1}), errno.EBUSY,
                 re.compile(r"slice embb used by (app telemetry|rule \d+)"))


# A YnlFamily socket joined to the config group (before any request on it:
# lib.YnlFamily binds the socket when subscribing) hears every change made by
# cli.py's sockets and, below, by the transaction's owner.
listener = None


@test("config group: an object notification, then commit-ntf")
def _():
    global listener
    listener = YnlFamily(SPEC, "")
    listener.ntf_subscribe("config")
    reply = do("uplink-set", {"ifname": "sgup0", "mode": "gtpu"}).reply
    listener.check_ntf()
    q = list(listener.async_msg_queue)
    listener.async_msg_queue.clear()
    names = [n["name"] for n in q]
    check(names == ["uplink-ntf", "commit-ntf"], f"notifications {names}")
    up, commit = q[0]["msg"], q[1]["msg"]
    check_subset({"ifname": "sgup0", "mode": "gtpu", "change": "set",
                  "generation": reply["generation"]}, up, "uplink-ntf")
    check_subset({"generation": reply["generation"], "changes": 1}, commit,
                 "commit-ntf")
    check_reply("uplink-ntf", up)
    check_reply("commit-ntf", commit)


# Transactions: one YnlFamily socket owns the transaction and cli.py calls
# are "another socket".
owner = None


@test("tx-begin: policy-get shows the owning port")
def _():
    global owner
    owner = YnlFamily(SPEC, "")
    state["gen"] = do("policy-get", {}).reply["generation"]
    r = owner.do("tx-begin", {})
    check(r["generation"] == state["gen"], f"tx-begin generation {r}")
    portid = owner.sock.getsockname()[0]
    state["portid"] = portid
    p = do("policy-get", {}).reply
    check(p.get("tx-portid") == portid, f"tx-portid {p.get('tx-portid')}, want {portid}")


@test("staged changes: owner sees them, others get EBUSY and the old policy")
def _():
    owner.do("slice-new", {"id": 4, "name": "v2x", "sst": 4,
                           "ue-prefix": [{"addr4": ip4("10.4.0.0"), "len": 16}]})
    owner.do("app-new", {"id": 11, "name": "v2xsvc", "slice": [4],
                         "endpoint": [{"prefix": {"addr4": ip4("10.11.0.0"),
                                                  "len": 24}}]})
    check(owner.do("slice-get", {"id": 4})["name"] == "v2x", "owner cannot see staged")
    expect_error(do("slice-get", {"id": 4}), errno.ENOENT, "slice not found")
    expect_error(do("slice-new", {"id": 6, "name": "x", "sst": 1}), errno.EBUSY,
                 f"transaction open by port {state['portid']}")
    listener.check_ntf()
    check(not listener.async_msg_queue,
          f"notified before commit: {listener.async_msg_queue}")


@test("tx-commit: one generation, object notifications then commit-ntf")
def _():
    r = owner.do("tx-commit", {})
    check(r["generation"] == state["gen"] + 1, f"commit generation {r}")
    state["gen"] = r["generation"]
    check(do("slice-get", {"id": 4}).reply["name"] == "v2x", "commit not visible")
    listener.check_ntf()
    q = list(listener.async_msg_queue)
    listener.async_msg_queue.clear()
    names = [n["name"] for n in q]
    check(names == ["slice-ntf", "app-ntf", "commit-ntf"], f"notifications {names}")
    check(all(n["msg"]["generation"] == r["generation"] for n in q),
          f"generations {[n['msg'].get('generation') for n in q]}")
    check_subset({"changes": 2, "portid": state["portid"]}, q[2]["msg"], "commit-ntf")
    check(all(n["msg"].get("change") == "new" for n in q[:2]), f"changes {q[:2]}")
    for n in q:
        check_reply(n["name"], n["msg"])
    check("tx-portid" not in do("policy-get", {}).reply, "transaction still open")


@test("tx-abort: nothing applied, nothing notified")
def _():
    owner.do("tx-begin", {})
    owner.do("uplink-new", {"ifname": "sgup1"})
    owner.do("tx-abort", {})
    expect_error(do("uplink-get", {"ifname": "sgup1"}), errno.ENOENT,
                 "uplink not found")
    check(do("policy-get", {}).reply["generation"] == state["gen"], "generation moved")
    listener.check_ntf()
    check(not listener.async_msg_queue, f"notified: {listener.async_msg_queue}")


@test("tx-commit that breaks integrity: error, nothing applied, tx closed")
def _():
    owner.do("tx-begin", {})
    owner.do("app-new", {"id": 12, "name": "orphan", "slice": [9],
                         "endpoint": [{"prefix": {"addr4": ip4("10.12.0.0"),
                                                  "len": 24}}]})
    err, msg = lib_error(owner.do, "tx-commit", {})
    check((err, msg) == (errno.ENOENT, "slice 9 not found"), f"commit: {err} {msg!r}")
    expect_error(do("app-get", {"id": 12}), errno.ENOENT, "app not found")
    check(do("policy-get", {}).reply["generation"] == state["gen"], "generation moved")
    err, msg = lib_error(owner.do, "tx-abort", {})
    check((err, msg) == (errno.ENOENT, "no transaction open"), f"abort: {err} {msg!r}")


@test("closing the owning socket aborts its transaction")
def _():
    tmp = YnlFamily(SPEC, "")
    tmp.do("tx-begin", {})
    tmp.do("uplink-new", {"ifname": "sgup2"})
    tmp.sock.close()
    del tmp
    gc.collect()
    check("tx-portid" not in do("policy-get", {}).reply, "transaction survived")
    expect_error(do("uplink-get", {"ifname": "sgup2"}), errno.ENOENT,
                 "uplink not found")


@test("rule-del, app-del, uplink-del, slice-del by id and by name")
def _():
    for op, key in (("rule-del", {"id": 5}), ("rule-del", {"id": 1}),
                    ("app-del", {"name": "telemetry"}), ("app-del", {"id": 11}),
                    ("uplink-del", {"ifname": "sgup0"}),
                    ("slice-del", {"id": 1}), ("slice-del", {"name": "v2x"})):
        res = do(op, key)
        check(res.status == 0, f"{op} {key}:\n{res}")
    expect_error(do("rule-get", {"id": 1}), errno.ENOENT, "rule not found")
    expect_error(do("app-get", {"name": "telemetry"}), errno.ENOENT, "app not found")
    expect_error(do("uplink-get", {"ifname": "sgup0"}), errno.ENOENT, "uplink not found")
    expect_error(do("slice-get", {"id": 1}), errno.ENOENT, "slice not found")
    p = do("policy-get", {}).reply
    check_subset({"n-slices": 1, "n-apps": 0, "n-rules": 0, "n-uplinks": 0}, p,
                 "counts after the deletions")
    state["gen"] = p["generation"]


@test("policy-flush: everything gone in one generation")
def _():
    r = do("policy-flush", {}).reply
    check(r["generation"] == state["gen"] + 1, f"flush generation {r}")
    p = do("policy-get", {}).reply
    check_subset({"generation": r["generation"], "n-slices": 0, "n-apps": 0,
                  "n-rules": 0, "n-uplinks": 0}, p, "after flush")
    check(dump("slice-get").reply == [], "slices left after flush")


@test("without CAP_NET_ADMIN: EPERM for ops and for joining config")
def _():
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
              "--inh-caps=-all", "/usr/bin/python3", "-c", f"""
import sys
sys.path.insert(0, {YNL!r})
from lib import YnlFamily, NlError
try:
    YnlFamily({SPEC!r}, "").do("policy-get", {{}})
    print("policy-get: allowed")
except NlError as e:
    print("policy-get:", e.error)
try:
    YnlFamily({SPEC!r}, "").ntf_subscribe("config")
    print("subscribe: allowed")
except OSError as e:
    print("subscribe:", e.errno)
"""]
    p = subprocess.run(nobody, capture_output=True, text=True, timeout=120)
    want = f"policy-get: {errno.EPERM}\nsubscribe: {errno.EPERM}\n"
    check(p.stdout == want, f"want:\n{want}got:\n{p.stdout}{p.stderr}")


# Leave the namespace with objects in it and every socket closed: the
# module must free them when the namespace goes.
do("slice-new", MIOT)
do("uplink-new", {"ifname": "sgup3"})
held = live_objects()
for y in (owner, listener, spec_ynl):
    if y:
        y.sock.close()
owner = listener = spec_ynl = None
gc.collect()
libc.setns(home_ns, CLONE_NEWNET)
if baseline is None:
    tap.skip("objects freed with the namespace", f"no {LIVE_OBJECTS}")
else:
    deadline = time.monotonic() + 20
    while live_objects() > baseline and time.monotonic() < deadline:
        time.sleep(0.2)
    tap.result("objects freed with the namespace",
               held > baseline and live_objects() <= baseline,
               f"live_objects {baseline} before the suite, {held} while the "
               f"namespace held two objects, {live_objects()} after it")
tap.done()
