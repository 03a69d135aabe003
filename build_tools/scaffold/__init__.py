"""Starting a new review project (`livingreview init`): the skeleton of each kind of review,
kept as package data in assets/kinds/, where the new project installs living-review from, and
a guarded, all-or-nothing write of the new folder."""
