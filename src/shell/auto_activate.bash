# (auto-activation: filled in by the virtualenv work)
