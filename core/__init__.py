"""The rules of 民生实事项目人大代表票决制, in pure Python: no I/O, no clock, no framework."""
