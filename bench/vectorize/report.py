"""Summarize a bench/vectorize.sh results file as Markdown tables.

With --rounds (bench/vectorize-alternate.sh), the file holds several
query-only passes per library; each ef's figures are the medians.
"""
import json, statistics, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
if "--rounds" in sys.argv:
    groups = {}
    for r in rows:
        if r["what"] == "search":
            groups.setdefault((r["lib"], r["ef"]), []).append(r)
    merged = []
    for (lib, ef), rs in groups.items():
        m = dict(rs[0])
        for key in ("qps_1", "qps_cpu", "qps_all"):
            m[key] = statistics.median(x[key] for x in rs)
        m["rounds"] = len(rs)
        merged.append(m)
    rows = [r for r in rows if r["what"] != "search"] + merged
libs = []
for r in rows:
    if r["lib"] not in libs:
        libs.append(r["lib"])

print("| library | build s | build CPU s | threads | index memory MiB |")
print("|---|---|---|---|---|")
for r in rows:
    if r["what"] == "build":
        cpu = f"{r['cpu_seconds']:.0f}" if "cpu_seconds" in r else "—"
        print(f"| {r['lib']} | {r['seconds']:.1f} | {cpu} | {r['threads']} | {r['memory_bytes'] / 2**20:.0f} |")
print()
print("| library | ef | recall@10 | q/s 1 thread | q/CPU-s 1 thread | q/s all cores |")
print("|---|---|---|---|---|---|")
best = {}
for r in rows:
    if r["what"] != "search":
        continue
    print(f"| {r['lib']} | {r['ef']} | {r['recall']:.4f} | {r['qps_1']:,.0f} | {r['qps_cpu']:,.0f} | {r['qps_all']:,.0f} |")
    if r["recall"] >= 0.95:
        b = best.get(r["lib"])
        if b is None or r["qps_cpu"] > b["qps_cpu"]:
            best[r["lib"]] = r
print()
print("At recall@10 >= 0.95 (the fastest ef that reaches it, by queries per CPU-second):")
print()
print("| library | ef | recall@10 | q/s 1 thread | q/CPU-s 1 thread | q/s all cores | zerostack ÷ this (q/CPU-s) |")
print("|---|---|---|---|---|---|---|")
z = best.get("zerostack")
for lib in libs:
    b = best.get(lib)
    if b is None:
        print(f"| {lib} | — | never reached 0.95 | | | | |")
        continue
    ratio = f"{z['qps_cpu'] / b['qps_cpu']:.2f}×" if z else ""
    print(f"| {lib} | {b['ef']} | {b['recall']:.4f} | {b['qps_1']:,.0f} | {b['qps_cpu']:,.0f} | {b['qps_all']:,.0f} | {ratio} |")
for r in rows:
    if r["what"] == "persist":
        print()
        print(f"zerostack persistence: {r['bytes'] / 2**20:.0f} MiB written in {r['save_seconds']:.1f} s, "
              f"loaded in {r['load_seconds']:.1f} s, identical results after reload: {r['identical_results']}")
