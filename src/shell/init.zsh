# pyv shell integration for zsh. Load it with: eval "$(pyv init zsh)"
export PYV_SHELL=zsh
typeset -g __pyv_bin=@PYV@
typeset -g __pyv_shims=@SHIMS@

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

# A command the selected version has but that has no shim yet: rehash and run it.
if (( $+functions[command_not_found_handler] )) \
  && [[ "${functions[command_not_found_handler]}" != *__pyv_bin* ]]; then
  functions -c command_not_found_handler __pyv_orig_cnf
fi
command_not_found_handler() {
  if "$__pyv_bin" which -- "$1" >/dev/null 2>&1 && "$__pyv_bin" rehash >/dev/null 2>&1 \
    && [[ -x "${__pyv_shims}/$1" ]]; then
    hash -r
    "${__pyv_shims}/$1" "${@:2}"
    return $?
  fi
  if (( $+functions[__pyv_orig_cnf] )); then
    __pyv_orig_cnf "$@"
    return $?
  fi
  print -u2 "zsh: command not found: $1"
  return 127
}
@AUTO_ACTIVATE@
# Completions, loaded on the first <Tab> after `pyv` (only where compinit has been loaded).
if (( $+functions[compdef] )); then
  __pyv_complete() {
    eval "$("$__pyv_bin" completions zsh)"
    _pyv_dynamic "$@"
  }
  compdef __pyv_complete pyv
fi
