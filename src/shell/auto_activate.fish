# Auto-activation (pyv init --auto-activate): a .python-version naming an environment
# activates it; leaving deactivates it. fish runs this only when PWD or PYV_VERSION changes,
# so an unchanged prompt costs nothing.
function __pyv_auto_activate --on-variable PWD --on-variable PYV_VERSION
    $__pyv_bin sh-activate --auto | source
end
__pyv_auto_activate
