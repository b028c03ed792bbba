#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Render the benchmark's results into Documentation/performance.rst.

    bench/report.py RESULTS-DIR [--rst FILE --images DIR]
    bench/report.py RESULTS-DIR --check [--require PART,...]

Every part of `make bench` writes one JSON file into RESULTS-DIR
(dataplane: dp.json, throughput: throughput.json, control plane:
control.json, memory: memory.json), all of one shape:

    {"component", "title", "method", "commands": [...],
     "tables": [{"title", "columns": [...], "rows": [[...], ...]}],
     "series": {"xlabel", "ylabel", "lines": [{"name", "points": [[x, y]]}]},
     "targets": [{"target", "value", "met"}], "notes": [...]}

("series" and "targets" are optional.) This script renders whatever is
there: tables as they are, two plots made from the results with gnuplot
(ns per packet and packets per second against the policy size, log
scales, one line per system), targets with met / not met, and the machine
the numbers come from. A part that did not run is said so, not left out.
--check only validates the shape of every file (what `make bench-quick`
proves), and says nothing about the times.
"""
import datetime
import json
import os
import platform
import subprocess
import sys

PARTS = [
    ("dp.json", "dataplane", "ns-per-packet"),
    ("throughput.json", "throughput", "pps"),
    ("control.json", "control", None),
    ("memory.json", "memory", None),
]


class ShapeError(Exception):
    pass


def check_shape(doc, component, path):
    def need(cond, what):
        if not cond:
            raise ShapeError("%s: %s" % (path, what))

    need(isinstance(doc, dict), "not a JSON object")
    need(doc.get("component") == component,
         "component is %r, not %r" % (doc.get("component"), component))
    for key in ("title", "method"):
        need(isinstance(doc.get(key), str) and doc[key], "no %s" % key)
    need(isinstance(doc.get("commands"), list) and doc["commands"], "no commands")
    need(isinstance(doc.get("tables"), list) and doc["tables"], "no tables")
    for t in doc["tables"]:
        need(isinstance(t.get("title"), str), "a table without a title")
        cols = t.get("columns")
        need(isinstance(cols, list) and cols, "table %r has no columns" % t.get("title"))
        rows = t.get("rows")
        need(isinstance(rows, list) and rows, "table %r has no rows" % t["title"])
        for r in rows:
            need(isinstance(r, list) and len(r) == len(cols),
                 "table %r: a row of %d cells under %d columns" %
                 (t["title"], len(r) if isinstance(r, list) else -1, len(cols)))
            need(any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)
                 or any(isinstance(v, str) and v.startswith("not reachable") for v in r)
                 or not any(isinstance(v, (int, float)) for v in cols),
                 "table %r: a row without a number: %r" % (t["title"], r))
    series = doc.get("series")
    if series is not None:
        need(isinstance(series.get("lines"), list) and series["lines"], "series without lines")
        for line in series["lines"]:
            need(isinstance(line.get("name"), str), "a line without a name")
            need(isinstance(line.get("points"), list), "line %r without points" % line["name"])
            for p in line["points"]:
                need(isinstance(p, list) and len(p) == 2 and
                     all(isinstance(v, (int, float)) and v > 0 for v in p),
                     "line %r: point %r is not two positive numbers" % (line["name"], p))
    for t in doc.get("targets", []):
        need(isinstance(t.get("target"), str) and isinstance(t.get("value"), str) and
             isinstance(t.get("met"), bool), "a target without target, value and met")
    need(isinstance(doc.get("notes", []), list), "notes is not a list")


def load(results):
    docs = {}
    for name, component, _ in PARTS:
        path = os.path.join(results, name)
        if not os.path.exists(path):
            docs[component] = None
            continue
        with open(path) as f:
            doc = json.load(f)
        check_shape(doc, component, path)
        docs[component] = doc
    return docs


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return "{:,}".format(v)
    if isinstance(v, float):
        if abs(v) >= 10:
            return "{:,.0f}".format(v)
        return "%.2f" % v
    return str(v)


def rst_escape(s):
    """Text from the results, rendered as it is: no markup is meant."""
    for c in "\\*`|_":
        s = s.replace(c, "\\" + c)
    return s


def list_table(out, t):
    out.append(".. list-table:: %s" % rst_escape(t["title"]))
    out.append("   :header-rows: 1")
    out.append("")
    for r in [t["columns"]] + t["rows"]:
        first = True
        for v in r:
            cell = rst_escape(fmt(v))
            out.append(("   * - " if first else "     - ") + (cell if cell else "\\ "))
            first = False
    out.append("")


def heading(out, text, char):
    out.append(text)
    out.append(char * len(text))
    out.append("")


def paragraph(out, text):
    out.append(rst_escape(text))
    out.append("")


def plot(series, title, png):
    """A log-log plot of series into png with gnuplot; True if it was made."""
    data = []
    for line in series["lines"]:
        if not line["points"]:
            continue
        data.append((line["name"], line["points"]))
    if not data:
        return False
    script = [
        "set terminal pngcairo noenhanced size 900,600 font 'sans,10'",
        "set output '%s'" % png.replace("'", ""),
        "set title '%s'" % title.replace("'", ""),
        "set logscale x 10",
        "set logscale y 10",
        "set xlabel '%s'" % series["xlabel"].replace("'", ""),
        "set ylabel '%s'" % series["ylabel"].replace("'", ""),
        "set key below",
        "set grid",
        "plot " + ", ".join("'-' using 1:2 with linespoints title '%s'" %
                            name.replace("'", "") for name, _ in data),
    ]
    for _, points in data:
        script += ["%s %s" % (x, y) for x, y in points] + ["e"]
    subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)
    return True


def versions():
    pkgs = ["xdp-tools", "nftables", "netsniff-ng", "libbpf1", "bpftool", "clang-19",
            "linux-image-amd64"]
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n"] + pkgs,
                         capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l.strip()]


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for l in f:
                if l.startswith("model name"):
                    model = l.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    rev = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)),
                          "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip() or "unknown"
    return [
        "CPU: %s, %d CPUs online" % (model, os.cpu_count() or 0),
        "kernel: %s %s" % (platform.system(), platform.release()),
        "sliceguard: %s" % rev,
        "date: %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    ] + ["package: %s" % v for v in versions()]


def render(docs, rst, images):
    out = [".. SPDX-License-Identifier: GPL-2.0", "",
           ".. This file is generated by bench/report.py from `make bench`; edit the",
           "   benchmark, not this file.", ""]
    heading(out, "Performance", "=")
    out.append("What sliceguard costs, side by side with xdp-filter (xdp-tools) and "
               "nftables, measured by ``make bench`` in one run on one machine. Only ratios "
               "within this run mean anything: the machine is shared and noisy, and the "
               "numbers of another run or another machine are not comparable. No test "
               "asserts a time; the targets below are stated next to the numbers.")
    out.append("")
    out.append("The machine of this run:")
    out.append("")
    for l in machine():
        out.append("- " + rst_escape(l))
    out.append("")
    targets = []
    for name, component, plot_name in PARTS:
        doc = docs.get(component)
        if doc is None:
            heading(out, "%s: not run" % component.capitalize(), "-")
            paragraph(out, "%s was not in this run's results." % name)
            continue
        heading(out, doc["title"], "-")
        paragraph(out, doc["method"])
        out.append("Commands::")
        out.append("")
        for c in doc["commands"]:
            out.append("    " + c)
        out.append("")
        if plot_name and doc.get("series"):
            png = os.path.join(images, "perf-%s.png" % plot_name)
            if plot(doc["series"], doc["title"], png):
                rel = os.path.relpath(png, os.path.dirname(os.path.abspath(rst)))
                out.append(".. image:: %s" % rel)
                out.append("   :alt: %s against the policy size" % doc["series"]["ylabel"])
                out.append("")
        for t in doc["tables"]:
            list_table(out, t)
        for n in doc.get("notes", []):
            out.append("- " + rst_escape(n))
        if doc.get("notes"):
            out.append("")
        targets += doc.get("targets", [])
    heading(out, "Targets", "-")
    if targets:
        list_table(out, {"title": "targets of the fast-path issue, from this run",
                         "columns": ["target", "this run", "met"],
                         "rows": [[t["target"], t["value"], "met" if t["met"] else "not met"]
                                  for t in targets]})
        missed = sum(1 for t in targets if not t["met"])
        paragraph(out, "%d of %d targets met in this run." % (len(targets) - missed,
                                                               len(targets)))
        out += [
            "Where sliceguard loses to a peer, and why: xdp-filter makes a few hash",
            "and array lookups whose results it ORs (any listed address or port passes",
            "a packet) and keeps no state, so it cannot say which slice a packet is",
            "of, whether its source may use that address, or whether a reply belongs",
            "to a flow. sliceguard does all of that on every packet: the interface",
            "and VLAN or TEID to a slice, the source checked against the slice's UE",
            "pools and the host, the destination to an app or the host, the flow",
            "table, and for a new flow the rule trie, plus policing and counters.",
            "nftables' best form (a verdict map per VLAN to per-slice sets) does the",
            "slice and pool part of that and no flow state. The fast-path issue (10)",
            "is to close this gap; until then these rows are the measure of it.",
            ""]
    else:
        paragraph(out, "No part of this run stated a target.")
    with open(rst, "w") as f:
        f.write("\n".join(out).rstrip() + "\n")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    results = argv[1]
    try:
        docs = load(results)
    except (ShapeError, ValueError) as e:
        print("report: %s" % e, file=sys.stderr)
        return 1
    if "--check" in argv:
        # --require a,b: the parts that must be there (default: all)
        need = [c for _, c, _ in PARTS]
        if "--require" in argv:
            need = argv[argv.index("--require") + 1].split(",")
        failed = 0
        for c in need:
            d = docs.get(c)
            if d is None:
                print("not ok %s: no results" % c)
                failed += 1
            else:
                print("ok %s: %d tables, %d rows" %
                      (c, len(d["tables"]), sum(len(t["rows"]) for t in d["tables"])))
        return 1 if failed else 0
    rst = argv[argv.index("--rst") + 1] if "--rst" in argv else "Documentation/performance.rst"
    images = argv[argv.index("--images") + 1] if "--images" in argv else "Documentation/images"
    os.makedirs(images, exist_ok=True)
    render(docs, rst, images)
    print("report: wrote %s" % rst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
