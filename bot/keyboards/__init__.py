"""CallbackData factories and keyboard builders.

Callback data are a public contract (scripts and tests press raw data): a prefix or field once
shipped is not renamed. What may not: queries, or deciding who may press (that is the handlers').
"""
