# pyv shell integration for fish. Load it with: pyv init fish | source
set -gx PYV_SHELL fish
set -g __pyv_bin @PYV@
set -g __pyv_shims @SHIMS@

@PATH@
# Commands that change this shell print code for it to evaluate.
function pyv --description 'Python version manager'
  set -l command $argv[1]
  switch "$command"
    case shell activate deactivate
      set -l __pyv_out ($__pyv_bin sh-$command $argv[2..-1])
      or return $status
      string join \n -- $__pyv_out | source
    case local virtualenv-delete
      $__pyv_bin $argv
      set -l __pyv_rc $status
      # What the directory selects may have changed: let auto-activation look again.
      set -g __pyv_aa_key
      functions -q __pyv_auto_activate; and __pyv_auto_activate
      return $__pyv_rc
    case '*'
      $__pyv_bin $argv
  end
end

# A command the selected version has but that has no shim yet: interactively, rehash before it
# runs (fish_preexec), so it just runs; in scripts, the not-found handler makes the shim.
function __pyv_preexec --on-event fish_preexec
    set -l __pyv_word (string split -f1 ' ' -- (string trim -- $argv[1]))
    if test -n "$__pyv_word"; and not type -q -- $__pyv_word
        $__pyv_bin which -- $__pyv_word >/dev/null 2>&1; and $__pyv_bin rehash >/dev/null 2>&1
    end
end
if functions -q fish_command_not_found; and not functions fish_command_not_found | string match -q '*__pyv_bin*'
    functions -c fish_command_not_found __pyv_orig_cnf
end
function fish_command_not_found
    # fish sends a not-found handler's output to stderr and reports 127 whatever it does, so
    # running the command from here would be misleading: make the shim, and say so.
    if $__pyv_bin which -- $argv[1] >/dev/null 2>&1; and $__pyv_bin rehash >/dev/null 2>&1; and test -x $__pyv_shims/$argv[1]
        echo "pyv: `$argv[1]` had no shim yet; it has one now, run it again" >&2
        return 127
    end
    if functions -q __pyv_orig_cnf
        __pyv_orig_cnf $argv
    else
        __fish_default_command_not_found_handler $argv
    end
end
@AUTO_ACTIVATE@
# Completions, loaded on the first <Tab> after `pyv`.
function __pyv_complete
    complete -c pyv -e
    $__pyv_bin completions fish | source
    complete -C (commandline -cp)
end
complete -c pyv -f -a '(__pyv_complete)'
