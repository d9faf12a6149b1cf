"""Markdown tables from hyperfine's JSON for the benches: stdin has `name<TAB>json` lines.

    table.py venv       create-an-env table, ratios to pyv's (with pip / without), goals 150/30 ms
    table.py reinstall  reinstall table, goal 1 s (the "archive alone" row is for comparison)
"""
import json
import statistics
import sys

kind = sys.argv[1]
data = {}
for line in sys.stdin:
    if not line.strip():
        continue
    name, path = line.rstrip("\n").split("\t")
    r = json.load(open(path))["results"][0]
    data[name] = (statistics.median(r["times"]), r["mean"], r["stddev"] or 0.0, len(r["times"]))

if kind == "venv":
    pip_ref = data["pyv virtualenv"][0]
    nopip_ref = data["pyv virtualenv --without-pip"][0]
    print("| create an env | median | mean ± σ | runs | × pyv |")
    print("|---|---:|---:|---:|---:|")
    for name, (med, mean, sd, n) in data.items():
        ref = nopip_ref if ("without-pip" in name or name == "uv venv") else pip_ref
        print(f"| `{name}` | {med * 1000:.1f} ms | {mean * 1000:.1f} ± {sd * 1000:.1f} ms | {n} | {med / ref:.2f} |")
    ok = pip_ref <= 0.150 and nopip_ref <= 0.030
    print(f"bench: pyv median {pip_ref * 1000:.1f} ms with pip (goal <= 150 ms), "
          f"{nopip_ref * 1000:.1f} ms without (goal <= 30 ms): {'met' if ok else 'NOT met'}")
else:
    print("| reinstall from the artifact cache | median | mean ± σ | runs |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for name, (med, mean, sd, n) in data.items():
        if "archive alone" not in name and "registry" not in name:
            worst = max(worst, med)
        print(f"| {name} | {med:.2f} s | {mean:.2f} ± {sd:.2f} s | {n} |")
    print(f"bench: slowest reinstall median {worst:.2f} s (goal <= 1 s): {'met' if worst <= 1 else 'NOT met'}")
    # The OCI registry rows (bench/install.sh --reinstall with docker-registry installed).
    for name, goal in (("from an OCI registry", 3.0), ("cache push of what the registry has", 0.5)):
        row = next((v for k, v in data.items() if k.startswith(name)), None)
        if row:
            print(f"bench: {name}: median {row[0]:.2f} s (goal <= {goal} s, {row[0] / goal:.2f}x the goal): "
                  f"{'met' if row[0] <= goal else 'NOT met'}")
