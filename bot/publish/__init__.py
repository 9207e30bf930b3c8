"""Publishing the editors' changes: releases, their building and grading, and the switch.

- `releases`: release folders (model + spaCy pipeline + catalogue database) and the live link;
- `plan`: what a publish takes compared with the live release (catalogue only, fine-tune, full);
- `build`: a candidate release from the sources (and `adopt`: the set-up's model as the first);
- `grade`: the candidate graded on the dev sets before it may go live;
- `instances`: the running instances as the launcher describes them, and nginx's upstreams;
- `keeper`: one instance's port handed over to a new process; `switch`: the switch itself;
- `job`: a publish or rollback as a background job with progress for the console;
- `serving`: what the launchers (`make run`, `make run-cluster`) need to serve the live release.
`python -m bot.publish status|adopt|publish|rollback`. See docs/editors.md.
"""
