"""Data exchange: CSV and vCard import, streaming exports, duplicates.

Sits beside reports, telephony and sync: it reads and writes files and the
store, never the UI. Every write goes through named mutations.
"""
