# Auto-activation (pyv init --auto-activate): a .python-version naming an environment
# activates it; leaving deactivates it. At each prompt this costs one string comparison;
# only when the directory or PYV_VERSION changed does it run pyv.
# A PYV_VERSION that activation set counts as the one it replaced (activating changes nothing
# the hook decides on).
__pyv_aa_key=
__pyv_auto_activate() {
  local __pyv_ret=$? __pyv_v="${PYV_VERSION-}"
  if [[ -n "${_PYV_ACTIVATED_VERSION-}" && "$__pyv_v" == "$_PYV_ACTIVATED_VERSION" ]]; then
    __pyv_v="${_PYV_OLD_PYV_VERSION-}"
  fi
  if [[ "${PWD}|${__pyv_v}" != "$__pyv_aa_key" ]]; then
    __pyv_aa_key="${PWD}|${__pyv_v}"
    eval "$("$__pyv_bin" sh-activate --auto)"
  fi
  return "$__pyv_ret"
}
if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
  [[ " ${PROMPT_COMMAND[*]} " == *" __pyv_auto_activate "* ]] \
    || PROMPT_COMMAND=(__pyv_auto_activate "${PROMPT_COMMAND[@]}")
elif [[ ";${PROMPT_COMMAND-};" != *";__pyv_auto_activate;"* ]]; then
  PROMPT_COMMAND="__pyv_auto_activate${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
