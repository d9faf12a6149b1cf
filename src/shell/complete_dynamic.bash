
# pyv: names from the live root. Installed versions and environments for the commands that
# take them, the catalog for `install`, command names for `which`/`whence`/`exec`; everything
# else (subcommands, options) comes from _pyv above.
_pyv_dynamic() {
  local cur="${COMP_WORDS[COMP_CWORD]}" sub="" pos=0 i bin="${__pyv_bin:-pyv}" words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      --root | --cache-dir) ((i++)) ;;
      -*) ;;
      *) if [[ -z "$sub" ]]; then sub="${COMP_WORDS[i]}"; else ((pos++)); fi ;;
    esac
  done
  if [[ -n "$sub" && "$cur" != -* ]]; then
    # One name per line. `uninstall` takes no `system`; `virtualenv-delete` only environments.
    case "$sub" in
      global | local | shell | prefix | activate | virtualenv-prefix)
        words="$("$bin" versions --bare 2>/dev/null)"$'\n'system ;;
      uninstall) words="$("$bin" versions --bare 2>/dev/null)" ;;
      virtualenv-delete)
        words="$("$bin" virtualenvs --bare 2>/dev/null; "$bin" versions --bare 2>/dev/null | grep -F /envs/)" ;;
      virtualenv) ((pos == 0)) && words="$("$bin" versions --bare --skip-envs 2>/dev/null)" ;;
      install) words="$("$bin" install --list 2>/dev/null)"$'\n'latest ;;
      which | whence | exec) ((pos == 0)) && words="$("$bin" shims --short 2>/dev/null)" ;;
    esac
    if [[ -n "$words" ]]; then
      # Names are data: matched as plain strings and offered quoted. (`compgen -W` would
      # expand `$(...)` in a directory name under versions/.)
      local w
      COMPREPLY=()
      while IFS= read -r w; do
        [[ -n "$w" && "$w" == "$cur"* ]] || continue
        printf -v w '%q' "$w"
        COMPREPLY+=("$w")
      done <<<"$words"
      return 0
    fi
  fi
  _pyv "$@"
}
complete -F _pyv_dynamic -o bashdefault -o default pyv
