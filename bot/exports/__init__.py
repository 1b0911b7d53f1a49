"""Files for the office and the public: tables.py (the one CSV/XLSX export layer), annual.py (the
year's tables), rounds.py (a selection round's files), charts.py (result charts), pabulib.py (the .pb
format). No Telegram here."""
