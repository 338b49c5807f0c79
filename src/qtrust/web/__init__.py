"""qtrust web: the governance app — server-rendered pages over the same library calls as the CLI."""
