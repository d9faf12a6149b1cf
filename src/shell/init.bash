# pyv shell integration for bash. Load it with: eval "$(pyv init bash)"
export PYV_SHELL=bash
__pyv_bin=@PYV@
__pyv_shims=@SHIMS@

@PATH@
# Commands that change this shell print code for it to evaluate.
pyv() {
  local command="${1-}" __pyv_out __pyv_rc
  case "$command" in
  shell | activate | deactivate)
    shift
    __pyv_out="$("$__pyv_bin" "sh-$command" "$@")" || return $?
    eval "$__pyv_out"
    ;;
  *)
    "$__pyv_bin" "$@"
    __pyv_rc=$?
    hash -r 2>/dev/null
    __pyv_aa_key= # `pyv local` may have changed what the directory selects
    return "$__pyv_rc"
    ;;
  esac
}

# A command the selected version has but that has no shim yet (installed outside a shim):
# rehash and run it. Chains to a handler that was defined before (e.g. command-not-found).
if declare -F command_not_found_handle >/dev/null \
  && [[ "$(declare -f command_not_found_handle)" != *__pyv_bin* ]]; then
  eval "__pyv_orig_cnf() $(declare -f command_not_found_handle | tail -n +2)"
fi
command_not_found_handle() {
  if "$__pyv_bin" which -- "$1" >/dev/null 2>&1 && "$__pyv_bin" rehash >/dev/null 2>&1 \
    && [[ -x "${__pyv_shims}/$1" ]]; then
    hash -r
    "${__pyv_shims}/$1" "${@:2}"
    return $?
  fi
  if declare -F __pyv_orig_cnf >/dev/null; then
    __pyv_orig_cnf "$@"
    return $?
  fi
  printf 'bash: %s: command not found\n' "$1" >&2
  return 127
}
@AUTO_ACTIVATE@
# Completions, loaded on the first <Tab> after `pyv` (keeps shell start-up fast).
__pyv_complete() {
  complete -r pyv
  eval "$("$__pyv_bin" completions bash)"
  _pyv_dynamic "$@"
}
complete -F __pyv_complete -o bashdefault -o default pyv
