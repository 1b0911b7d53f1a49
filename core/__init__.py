"""The rules of 民生实事项目人大代表票决制, in pure Python: no I/O, no clock, no framework.

What lives here: the domain's rules (roles, areas, categories and classification, the suggestion
workflow, points, tallies and scoring, deadlines, limits), each a function of its arguments.
What may not: imports of aiogram, sqlalchemy, sqlmodel, bot/ or handlers/ (tests/test_layering.py),
reading the clock or a file other than the packaged data it is given.
"""
