"""The command line behind `python -m bot` (bot/__main__.py parses; these do the work): imports,
exports, classify, tally, score, projects and the outbox commands. May not import handlers/."""
