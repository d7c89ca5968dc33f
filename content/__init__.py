"""The medical content as data, and the code that loads and checks it.

The YAML files here are what the assistant says about medicine (`glossary.yml`, `tests.yml`,
`topics.yml`, `pathway.yml`), which buttons lead back to it (`scope.yml`) and the safety policy
(`red_flags.yml`, with a learnt second opinion built from the development sets by
`red_flag_model.py`); `source/` holds the one source page they all trace back to. The modules
load each file through a schema once. Everything else reads content through this package, and
this package imports nothing else of the project.
"""
