#!/usr/bin/env bash
# Creating a virtualenv, side by side on the same interpreter, with hyperfine: pyv's
# `virtualenv` (with pip and `--without-pip`, in the default link mode, every environment with
# files of its own, and with PYV_LINK_MODE=hardlink), `python -m venv` (what pyenv-virtualenv runs),
# and, where they can be had, `virtualenv` (its app-data seeder) and `uv venv` (`--seed` and
# bare). Prints each median and its ratio to pyv's.
#
#   bash bench/venv.sh [PYTHON]     default /root/.pyenv/versions/3.11.7/bin/python3.11, else python3
#
# PYV_BIN overrides the pyv binary (default: target/release/pyv, built if missing).
# virtualenv and uv are taken from PATH, else installed with pip from the package registry
# into a throwaway venv under the bench's temp dir (BENCH_TOOLS=0: don't); a tool that cannot
# be had is skipped, saying so. BENCH_RUNS (default 15) runs per fast command, 5 for
# `python -m venv` with pip. Every tool gets a warm-up run first: pyv's makes its template (the
# version's own venv, once), virtualenv's fills its app-data, uv's its wheel cache.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
python=${1:-}
if [ -z "$python" ]; then
    python=/root/.pyenv/versions/3.11.7/bin/python3.11
    [ -x "$python" ] || python=$(command -v python3)
fi
"$python" -c 'import venv, ensurepip' 2>/dev/null || {
    echo "bench: $python has no venv/ensurepip (Debian: apt-get install python3-venv)" >&2
    exit 1
}
command -v hyperfine >/dev/null || { echo "bench: hyperfine not found" >&2; exit 1; }
runs=${BENCH_RUNS:-15}
version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
minor=${version%.*}

pyv=${PYV_BIN:-$here/target/release/pyv}
if [ ! -x "$pyv" ]; then
    (cd "$here" && cargo build --release --workspace)
fi

work=$(mktemp -d /tmp/pyv-bench-venv.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PYV_ROOT="$work/root" PYV_CACHE_DIR="$work/cache"
mkdir -p "$PYV_ROOT/versions/$version/bin"
for n in python python3 "python$minor"; do ln -s "$python" "$PYV_ROOT/versions/$version/bin/$n"; done
echo "bench: Python $version ($python) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# virtualenv and uv: from PATH, else a throwaway venv.
virtualenv=$(command -v virtualenv || true)
uv=$(command -v uv || true)
if { [ -z "$virtualenv" ] || [ -z "$uv" ]; } && [ "${BENCH_TOOLS:-1}" != 0 ]; then
    if "$python" -m venv "$work/tools" >/dev/null 2>&1 &&
        "$work/tools/bin/pip" install -q --disable-pip-version-check virtualenv uv >"$work/tools.log" 2>&1; then
        [ -n "$virtualenv" ] || virtualenv=$work/tools/bin/virtualenv
        [ -n "$uv" ] || uv=$work/tools/bin/uv
    else
        echo "bench: could not install virtualenv and uv from the package registry (see below); skipping them"
        tail -3 "$work/tools.log" 2>/dev/null || true
    fi
fi
export UV_CACHE_DIR="$work/uv-cache" UV_PYTHON_DOWNLOADS=never

envdir=$PYV_ROOT/versions/$version/envs
# One cold creation: what the first environment of a version costs (pyv runs venv once).
start=$(date +%s.%N)
"$pyv" virtualenv -q "$version" first
echo "bench: pyv's first environment of $version (makes the template with venv): $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f s", b - a }')"
"$pyv" virtualenv -q --without-pip "$version" first-nopip

results=()
# bench NAME RUNS PREPARE COMMAND
bench() {
    local name=$1 n=$2 prepare=$3 cmd=$4 json
    json="$work/$(printf '%s' "$1" | tr -c 'a-z0-9' '_').json"
    hyperfine -N --warmup 1 --runs "$n" --prepare "$prepare" --export-json "$json" "$cmd" >/dev/null 2>"$work/hf.err" || {
        echo "bench: $name failed:" >&2
        cat "$work/hf.err" >&2
        exit 1
    }
    results+=("$name	$json")
}
bench "pyv virtualenv" "$runs" "rm -rf $envdir/e $PYV_ROOT/versions/e" "$pyv virtualenv -q $version e"
bench "pyv virtualenv --without-pip" "$runs" "rm -rf $envdir/e $PYV_ROOT/versions/e" "$pyv virtualenv -q --without-pip $version e"
bench "pyv virtualenv (PYV_LINK_MODE=hardlink)" "$runs" "rm -rf $envdir/e $PYV_ROOT/versions/e" "env PYV_LINK_MODE=hardlink $pyv virtualenv -q $version e"
bench "python -m venv" 5 "rm -rf $work/v" "$python -m venv $work/v"
bench "python -m venv --without-pip" "$runs" "rm -rf $work/v" "$python -m venv --without-pip $work/v"
if [ -n "$virtualenv" ]; then
    bench "virtualenv (app-data seeder)" "$runs" "rm -rf $work/v" "$virtualenv -q --no-periodic-update --app-data $work/venv-app-data -p $python $work/v"
fi
if [ -n "$uv" ]; then
    bench "uv venv --seed" "$runs" "rm -rf $work/v" "$uv venv -q --seed -p $python $work/v"
    bench "uv venv" "$runs" "rm -rf $work/v" "$uv venv -q -p $python $work/v"
fi
if [ -n "$virtualenv" ]; then echo "bench: $("$virtualenv" --version | head -1 | cut -d' ' -f1-2)"; fi
if [ -n "$uv" ]; then echo "bench: $("$uv" --version)"; fi

# The table: median, mean ± σ, and the ratio to pyv's median (with pip, or without).
printf '%s\n' "${results[@]}" | "$python" "$here/bench/table.py" venv
