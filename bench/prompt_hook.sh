#!/usr/bin/env bash
# Per-prompt cost of auto-activation when nothing changed: pyv's hook (`pyv init bash
# --auto-activate`) against pyenv-virtualenv's `_pyenv_virtualenv_hook` (`pyenv
# virtualenv-init -`), each called N times in one bash process in the same project directory,
# total time divided by N. Also shows what a directory change costs (pyv spawns itself once).
#
#   bash bench/prompt_hook.sh            N=1000; PYENV_ROOT defaults to /root/.pyenv
#   PYV=target/release/pyv N=5000 bash bench/prompt_hook.sh
#
# Exits 1 if pyv's unchanged-prompt cost is above the 2 ms budget.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

N="${N:-1000}"
CHANGES="${CHANGES:-50}"
PYV="${PYV:-}"
if [ -z "$PYV" ]; then
  if [ -x target/release/pyv ]; then PYV="$PWD/target/release/pyv"; else PYV="$PWD/target/debug/pyv"; fi
fi
[ -x "$PYV" ] || { echo "prompt_hook.sh: build pyv first (cargo build --release)" >&2; exit 1; }
PYENV_ROOT="${PYENV_ROOT:-/root/.pyenv}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/versions" "$work/proj" "$work/other"
echo system >"$work/proj/.python-version"

# Microseconds per call of hook function $1, called $2 times, after `setup` in a clean bash.
per_call_us() {
  local setup="$1" hook="$2" n="$3" cd_between="$4"
  # shellcheck disable=SC2016 # the script is for the inner bash
  env -i HOME="$HOME" PATH="$PATH" PYV_ROOT="$work/root" PYENV_ROOT="$PYENV_ROOT" \
    TERM=dumb bash --norc --noprofile -c '
    setup=$1 hook=$2 n=$3 cd_between=$4 proj=$5 other=$6
    eval "$setup" >/dev/null 2>&1
    declare -F "$hook" >/dev/null || { echo "prompt_hook.sh: $hook is not defined" >&2; exit 3; }
    cd "$proj"
    "$hook"   # the first prompt in a directory does the real work: not measured
    start=$EPOCHREALTIME
    for ((i = 0; i < n; i++)); do
      if [ "$cd_between" = 1 ]; then
        if ((i % 2)); then cd "$proj"; else cd "$other"; fi
      fi
      "$hook"
    done
    end=$EPOCHREALTIME
    echo $(( (${end/./} - ${start/./}) / n ))
  ' bench "$setup" "$hook" "$n" "$cd_between" "$work/proj" "$work/other"
}

fmt_ms() { printf '%d.%03d ms' $(($1 / 1000)) $(($1 % 1000)); }

pyv_setup="eval \"\$('$PYV' init bash --auto-activate)\""
pyv_same="$(per_call_us "$pyv_setup" __pyv_auto_activate "$N" 0)"
pyv_cd="$(per_call_us "$pyv_setup" __pyv_auto_activate "$CHANGES" 1)"

echo "Prompt-hook cost per prompt (bash $(bash -c 'echo $BASH_VERSION'), N=$N, $(nproc) cores)"
printf '  %-44s %s\n' "pyv, directory unchanged:" "$(fmt_ms "$pyv_same")"
printf '  %-44s %s\n' "pyv, directory changed (spawns pyv once):" "$(fmt_ms "$pyv_cd")"

pyenv_same=""
if [ -x "$PYENV_ROOT/bin/pyenv" ] && [ -d "$PYENV_ROOT/plugins/pyenv-virtualenv" ]; then
  pyenv_setup="export PATH=\"$PYENV_ROOT/bin:\$PATH\"; eval \"\$(pyenv init -)\"; eval \"\$(pyenv virtualenv-init - bash)\""
  pyenv_same="$(per_call_us "$pyenv_setup" _pyenv_virtualenv_hook "$N" 0)"
  pyenv_cd="$(per_call_us "$pyenv_setup" _pyenv_virtualenv_hook "$CHANGES" 1)"
  version="$(cd "$PYENV_ROOT/plugins/pyenv-virtualenv" && git describe --tags 2>/dev/null || echo unknown)"
  printf '  %-44s %s\n' "pyenv-virtualenv ($version), unchanged:" "$(fmt_ms "$pyenv_same")"
  printf '  %-44s %s\n' "pyenv-virtualenv, directory changed:" "$(fmt_ms "$pyenv_cd")"
  if [ "$pyv_same" -gt 0 ]; then
    echo "  unchanged prompt: pyv is $((pyenv_same / pyv_same))x cheaper"
  else
    echo "  unchanged prompt: pyv < 1 us (pyenv-virtualenv: $(fmt_ms "$pyenv_same"))"
  fi
  echo "  changed directory: pyv is $((pyenv_cd * 10 / pyv_cd / 10)).$((pyenv_cd * 10 / pyv_cd % 10))x cheaper"
else
  echo "  pyenv-virtualenv not found under PYENV_ROOT=$PYENV_ROOT: comparison skipped"
fi

if [ "$pyv_same" -gt 2000 ]; then
  echo "prompt_hook.sh: pyv's unchanged-prompt cost $(fmt_ms "$pyv_same") is over the 2 ms budget" >&2
  exit 1
fi
